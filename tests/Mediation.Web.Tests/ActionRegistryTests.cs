using Mediation.Web.Pages.Cases;
using Mediation.Workflows.Actions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Mediation.Web.Tests;

// The case page and the API read the same action table the validator checks definitions against.
public class ActionRegistryTests(ApiHost host) : IClassFixture<ApiHost>
{
    public static TheoryData<string> FiredActions => [.. CaseActions.Known.Where(a => a.Name != CaseActions.Register).Select(a => a.Name)];

    [Theory]
    [MemberData(nameof(FiredActions))]
    public void EveryKnownAction_HasTheApiEndpointTheRegistryNames(string action)
    {
        using var client = host.CreateClient();
        var routes = host.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods.Contains("POST") == true)
            .Select(e => e.RoutePattern.RawText)
            .ToList();
        Assert.Contains($"/api/cases/{{id:long}}/{CaseActions.For(action).ApiPath}", routes);
    }

    [Theory]
    [MemberData(nameof(FiredActions))]
    public void EveryKnownAction_IsFiredFromTheCasePageByTheRegistrysCommand(string action)
    {
        var command = Page().Command(1, new ActionForm { Action = action, ExpectedVersion = 1, DueDates = "" });
        Assert.Equal(CaseActions.For(action).Command, command.GetType().Name);
    }

    [Fact]
    public void AnActionTheCodeDoesNotKnow_IsFiredByTakeAction()
    {
        var command = Page().Command(1, new ActionForm { Action = "awaitAppraisal", ExpectedVersion = 1 });
        Assert.Equal(CaseActions.TakeActionCommand, command.GetType().Name);
    }

    private static CaseModel Page() => new(null!, null!, null!, TimeProvider.System);
}
