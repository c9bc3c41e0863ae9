using System.Reflection;

namespace Mediation.Domain.Tests;

public class ArchitectureTests
{
    [Theory]
    [InlineData(typeof(Cases.DisputeCase))]
    [InlineData(typeof(Workflows.Definitions.WorkflowDefinition))]
    public void DomainAndWorkflowRuntime_DependOnTheBaseLibraryAlone(Type marker)
    {
        var references = marker.Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();
        Assert.DoesNotContain(references, r => r.StartsWith("Microsoft.EntityFrameworkCore", StringComparison.Ordinal));
        Assert.DoesNotContain(references, r => r.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal));
        Assert.DoesNotContain(references, r => r.StartsWith("MediatR", StringComparison.Ordinal));
        Assert.All(references, r => Assert.True(r.StartsWith("System", StringComparison.Ordinal) || r.StartsWith("Mediation.", StringComparison.Ordinal), $"{marker.Assembly.GetName().Name} references {r}"));
    }

    [Fact]
    public void DomainTypes_ExposeNoPublicSetters_SoOnlyTheirOwnMethodsChangeThem()
    {
        var leaks = typeof(Cases.DisputeCase).Assembly.GetTypes()
            .SelectMany(t => t.GetProperties(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            .Where(p => p.SetMethod is { IsPublic: true } setter
                && !setter.ReturnParameter.GetRequiredCustomModifiers().Contains(typeof(System.Runtime.CompilerServices.IsExternalInit)))
            .Select(p => $"{p.DeclaringType!.Name}.{p.Name}")
            .ToList();
        Assert.Empty(leaks);
    }
}

public class KnownNamesTests
{
    [Fact]
    public void UnitKinds_TheValidatorAccepts_AreTheOrgTreesKinds()
    {
        Assert.Equal(Org.OrgUnitKind.All.Order(StringComparer.Ordinal), Workflows.Definitions.KnownNames.UnitKinds.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void RiskLevels_TheValidatorAccepts_AreTheNamesCasesAreRegisteredWith()
    {
        var names = Enum.GetValues<Cases.RiskLevel>().Select(Cases.RiskLevelNames.Of).Order(StringComparer.Ordinal);
        Assert.Equal(names, Workflows.Definitions.KnownNames.RiskLevels.Order(StringComparer.Ordinal));
    }
}
