using System.ComponentModel.DataAnnotations;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Mediation.Application.Features.Administration;
using Mediation.Application.Pipeline;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Mediation.Web.Api;

/// <summary>
/// The document lists as required exactly the fields the product refuses without: not the nullable ones, not ids the
/// address carries, not computed members; a flags field that may be left out is documented with its default.
/// </summary>
internal sealed class RequiredFields : IOpenApiSchemaTransformer
{
    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        var type = context.JsonTypeInfo.Type;
        if (type.IsEnum && type.IsDefined(typeof(FlagsAttribute), false))
        {
            // Left out, a set of flags is none of them: said in the document rather than assumed.
            schema.Default = JsonValue.Create(System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(Enum.GetName(type, 0) ?? "none"));
            return Task.CompletedTask;
        }
        if (context.JsonTypeInfo.Kind != JsonTypeInfoKind.Object || type.Namespace?.StartsWith("Mediation.Application", StringComparison.Ordinal) != true)
            return Task.CompletedTask;

        schema.Properties?.Remove("allowedRoles");
        var required = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in context.JsonTypeInfo.Properties)
        {
            if (property.Name == "allowedRoles" || FromAddress(type, property.Name))
                continue;
            var valueType = property.PropertyType;
            // Nullable only so a missing value is refused by name: marked [Required] on the request.
            var marked = property.AttributeProvider?.IsDefined(typeof(RequiredAttribute), inherit: true) == true;
            var nullable = Nullable.GetUnderlyingType(valueType) is not null || property.AssociatedParameter is { IsNullable: true } || property.AssociatedParameter is { HasDefaultValue: true };
            var flags = valueType.IsEnum && valueType.IsDefined(typeof(FlagsAttribute), false);
            if (marked || (!nullable && !flags && property.AssociatedParameter is not null))
                required.Add(property.Name);
        }
        schema.Required = required;
        return Task.CompletedTask;
    }

    // Case commands take the case from the address; so do the administrator's commands on one account or unit.
    private static bool FromAddress(Type type, string property) => property switch
    {
        "caseId" => typeof(ICaseCommand).IsAssignableFrom(type),
        "staffId" => type == typeof(AssignStaff) || type == typeof(ResetPassword),
        "unitId" => type == typeof(RenameUnit),
        _ => false,
    };
}
