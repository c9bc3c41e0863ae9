using Mediation.Application.Pipeline;
using MediatR;

namespace Mediation.Application.Tests;

public class PipelineArchitectureTests
{
    private static readonly Type[] Requests = typeof(ApplicationServices).Assembly.GetTypes()
        .Where(t => t.IsClass && !t.IsAbstract && t.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IRequest<>)))
        .ToArray();

    [Fact]
    public void EveryRequest_DeclaresHowItsAccessIsChecked()
    {
        Assert.NotEmpty(Requests);
        var undeclared = Requests.Where(t => !typeof(ICaseRequest).IsAssignableFrom(t) && !typeof(IRoleRestricted).IsAssignableFrom(t)).Select(t => t.Name);
        Assert.Empty(undeclared);
    }

    [Fact]
    public void EveryRequest_IsEitherACommandOrAQuery()
    {
        var neither = Requests.Where(t => !typeof(ICommand).IsAssignableFrom(t) && !t.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IQuery<>)));
        Assert.Empty(neither.Select(t => t.Name));
    }

    [Fact]
    public void EveryCaseCommand_CarriesTheVersionItWasMadeAgainst() =>
        Assert.All(Requests.Where(t => typeof(ICaseRequest).IsAssignableFrom(t) && typeof(ICommand).IsAssignableFrom(t)),
            t => Assert.True(typeof(ICaseCommand).IsAssignableFrom(t), $"{t.Name} changes a case without an expected version"));

    [Fact]
    public void EveryRequest_HasAHandler()
    {
        var handled = typeof(ApplicationServices).Assembly.GetTypes()
            .SelectMany(t => t.GetInterfaces())
            .Where(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IRequestHandler<,>))
            .Select(i => i.GetGenericArguments()[0])
            .ToHashSet();
        Assert.Empty(Requests.Where(r => !handled.Contains(r)).Select(r => r.Name));
    }
}
