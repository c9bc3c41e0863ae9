using System.Reflection;
using System.Text.Json;
using Mediation.Application.Pipeline;
using Mediation.Domain.Cases;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Net.Http.Headers;

namespace Mediation.Web.Api;

/// <summary>
/// Turns the product's refusals into application/problem+json with the right status: 400 malformed, 401 not signed
/// in, 403 not allowed, 404 unknown or out of scope, 409 wrong state or concurrent edit (with the allowed actions),
/// 422 invalid fields (each named), 503 with Retry-After while another process holds the database. Anything else is a
/// 500 that says nothing of the request's data. Titles and field rules are in Chinese when the client prefers it
/// (Accept-Language or the "lang" cookie), else English.
/// </summary>
internal sealed class Problems(IProblemDetailsService problems, ILogger<Problems> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        var zh = ApiLanguage.PrefersChinese(context.Request);
        var problem = exception switch
        {
            BadHttpRequestException { InnerException: JsonException json } => FromJson(context, json, zh),
            BadHttpRequestException bad => FromBinding(context, bad, zh),
            JsonException json => FromJson(context, json, zh),
            NotSignedInException => Problem(401, zh ? "请先登录" : "Sign in first", exception.Message),
            AccessDeniedException or RoleNotAllowedException => Problem(403, zh ? "无权办理" : "Not allowed", UserText.Shown(exception.Message, 300)),
            NotFoundException => Problem(404, zh ? "未找到" : "Not found", exception.Message),
            TransitionNotAllowedException t => Problem(409, zh ? "当前状态不允许此操作" : "Action not allowed in this state", UserText.Shown(t.Message, 500), ("state", t.State), ("level", t.Level), ("allowedActions", t.AllowedActions)),
            Mediation.Domain.Deadlines.TimerRuleException => Problem(409, zh ? "定时任务不在该状态" : "Timer not in that state", exception.Message),
            ConcurrentEditException c => Problem(409, zh ? "案件已被他人修改" : "Changed by someone else", c.Message, ("expectedVersion", c.ExpectedVersion), ("currentVersion", c.ActualVersion)),
            UnknownFilterValueException f => Problem(400, zh ? "查询参数取值无效" : "Unknown filter value", zh ? f.Chinese : f.Message, ("parameter", f.Parameter), ("allowed", f.Allowed)),
            RequestValidationException v => Validation(v.Errors.Select(e => (e.Field, zh && e.Chinese is { } c ? c : e.Message)), zh),
            CaseInputException i => Validation([(i.Field, zh && i.Chinese is { } c ? c : i.Message)], zh),
            DatabaseBusyException busy => Busy(context, busy, zh),
            IdempotencyKeyReusedException r => Validation([("Idempotency-Key", zh ? r.Chinese : r.Message)], zh),
            _ => null,
        };
        if (problem is null)
        {
            logger.LogError(exception, "Unhandled error on {Method} {Path}", context.Request.Method, UserText.Shown(context.Request.Path.Value, 200));
            problem = Problem(500, zh ? "系统出错" : "Something went wrong", zh ? "请求未完成，未做任何更改。" : "The request was not completed; nothing was changed.");
        }
        context.Response.StatusCode = problem.Status!.Value;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem, Exception = exception });
    }

    // A value of the wrong type is a broken field rule (422, named by its JSON path); broken JSON is a 400.
    private static ProblemDetails FromJson(HttpContext context, JsonException json, bool zh)
    {
        var field = json.Path is { Length: > 1 } path ? UserText.Shown(path.TrimStart('$').TrimStart('.'), 120) : null;
        var target = FailedEndpoint(context)?.Metadata.GetMetadata<IAcceptsMetadata>()?.RequestType;
        var leaf = json.InnerException is JsonException || field is null || target is null ? null : FieldType(target, json.Path!);
        if (leaf is null)
            return Problem(400, zh ? "JSON 格式错误" : "Malformed JSON", UserText.Shown(json.Message, 300));
        return Validation([(field!, FieldRule.Expecting(field!, leaf, zh))], zh);
    }

    // A query or route value that does not convert: name the parameter, and for an enum list what it may be.
    private static ProblemDetails FromBinding(HttpContext context, BadHttpRequestException bad, bool zh)
    {
        var method = FailedEndpoint(context)?.Metadata.GetMetadata<MethodInfo>();
        foreach (var parameter in method?.GetParameters() ?? [])
        {
            if (parameter.Name is not { } name || !context.Request.Query.TryGetValue(name, out var given))
                continue;
            var type = Nullable.GetUnderlyingType(parameter.ParameterType) ?? parameter.ParameterType;
            if (FieldRule.Converts(type, given.ToString()))
                continue;
            var allowed = type.IsEnum ? Rules.AllowedNames(type) : null;
            return Problem(400, zh ? "查询参数取值无效" : "Unknown filter value", FieldRule.Expecting(name, type, zh), ("parameter", name), ("allowed", (object?)allowed ?? Array.Empty<string>()));
        }
        return Problem(400, zh ? "请求格式错误" : "Malformed request", UserText.Shown(bad.Message, 300));
    }

    // The exception handler runs with the endpoint cleared; the feature still knows which one failed.
    private static Endpoint? FailedEndpoint(HttpContext context) => context.Features.Get<IExceptionHandlerFeature>()?.Endpoint;

    // Follows a JSON path like $.parties[0].role through the request type to the type of the value at its end.
    private static Type? FieldType(Type type, string path)
    {
        var current = type;
        foreach (var segment in path.TrimStart('$').Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            var name = segment;
            var indexes = 0;
            var bracket = segment.IndexOf('[', StringComparison.Ordinal);
            if (bracket >= 0)
            {
                name = segment[..bracket];
                indexes = segment.Count(c => c == '[');
            }
            if (name.Length > 0)
            {
                var property = current.GetProperty(name, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
                if (property is null)
                    return null;
                current = property.PropertyType;
            }
            for (var i = 0; i < indexes; i++)
            {
                var element = ElementType(current);
                if (element is null)
                    return null;
                current = element;
            }
        }
        return Nullable.GetUnderlyingType(current) ?? current;
    }

    private static Type? ElementType(Type type) =>
        type.IsArray ? type.GetElementType()
        : type.GetInterfaces().Append(type).FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>))?.GetGenericArguments()[0];

    private static ProblemDetails Problem(int status, string title, string detail, params (string Key, object Value)[] extensions)
    {
        var problem = new ProblemDetails { Status = status, Title = title, Detail = detail };
        foreach (var (key, value) in extensions)
            problem.Extensions[key] = value;
        return problem;
    }

    private static ProblemDetails Busy(HttpContext context, DatabaseBusyException busy, bool zh)
    {
        var seconds = (int)Math.Ceiling(busy.RetryAfter.TotalSeconds);
        context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Problem(503, zh ? "数据库繁忙，请稍后重试" : "Database busy", busy.Message, ("retryAfterSeconds", seconds));
    }

    private static ValidationProblemDetails Validation(IEnumerable<(string Field, string Message)> errors, bool zh) =>
        new(errors.GroupBy(e => e.Field).ToDictionary(g => g.Key, g => g.Select(e => UserText.Shown(e.Message, 500)).ToArray()))
        {
            Status = 422,
            Title = zh ? "字段填写有误" : "Invalid fields",
            Detail = zh ? "见 errors：每个字段说明其违反的规则。" : "See errors: each field names the rule it breaks.",
        };
}

/// <summary>What a field or parameter of a given type expects, said in the client's language.</summary>
internal static class FieldRule
{
    public static string Expecting(string field, Type type, bool zh)
    {
        if (type.IsEnum)
        {
            var allowed = Rules.AllowedNames(type);
            return zh ? $"“{field}”的取值无效。可选值：{string.Join("、", allowed)}。" : $"'{field}' must be one of: {string.Join(", ", allowed)}.";
        }
        var (en, cn) = type switch
        {
            _ when type == typeof(string) => ("text", "文本"),
            _ when type == typeof(bool) => ("true or false", "true 或 false"),
            _ when type == typeof(int) || type == typeof(long) => ("a whole number", "整数"),
            _ when type == typeof(decimal) || type == typeof(double) => ("a number", "数字"),
            _ when type == typeof(DateOnly) => ("a date (yyyy-MM-dd)", "日期（yyyy-MM-dd）"),
            _ when type == typeof(DateTime) || type == typeof(DateTimeOffset) => ("a date and time (ISO 8601)", "日期时间（ISO 8601）"),
            _ when type != typeof(string) && type.GetInterfaces().Contains(typeof(System.Collections.IEnumerable)) => ("a list", "列表"),
            _ => ("an object", "对象"),
        };
        return zh ? $"“{field}”须为{cn}（不能为 null）。" : $"'{field}' must be {en} (not null).";
    }

    public static bool Converts(Type type, string value)
    {
        var invariant = System.Globalization.CultureInfo.InvariantCulture;
        return type switch
        {
            _ when type.IsEnum => Enum.TryParse(type, value, ignoreCase: true, out _),
            _ when type == typeof(bool) => bool.TryParse(value, out _),
            _ when type == typeof(int) => int.TryParse(value, System.Globalization.NumberStyles.Integer, invariant, out _),
            _ when type == typeof(long) => long.TryParse(value, System.Globalization.NumberStyles.Integer, invariant, out _),
            _ => true,
        };
    }
}

/// <summary>The API's language: Chinese when the "lang" cookie says zh or Accept-Language prefers it, else English.</summary>
internal static class ApiLanguage
{
    public static bool PrefersChinese(HttpRequest request)
    {
        var cookie = request.Cookies["lang"];
        if (cookie is "zh" or "en")
            return cookie == "zh";
        if (!StringWithQualityHeaderValue.TryParseList(request.Headers.AcceptLanguage.OfType<string>().ToList(), out var languages) || languages.Count == 0)
            return false;
        var first = languages.OrderByDescending(l => l.Quality ?? 1).First();
        return first.Value.StartsWith("zh", StringComparison.OrdinalIgnoreCase);
    }
}
