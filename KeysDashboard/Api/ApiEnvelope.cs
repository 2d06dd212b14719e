using System.Text.Json.Serialization;

namespace KeysDashboard.Api;

/// <summary>One problem with a request; <c>field</c> names the JSON property or query parameter at fault.</summary>
public sealed record ApiError(
    string Code,
    string Message,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Field = null);

/// <summary>
/// The response shape of the Vidbeo key API: <c>{"success", "result", "links", "errors"}</c>, plus
/// <c>request_id</c> on errors (it is also in every response's X-Request-Id header).
/// </summary>
public sealed record ApiEnvelope<T>(
    [property: JsonPropertyOrder(0)] bool Success,
    [property: JsonPropertyOrder(1)] T? Result,
    [property: JsonPropertyOrder(2)] object? Links,
    [property: JsonPropertyOrder(3)] IReadOnlyList<ApiError> Errors,
    [property: JsonPropertyOrder(4), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? RequestId = null);

/// <summary>The <c>links</c> of a list: <c>next</c> is the URL of the following page, absent on the last one.</summary>
public sealed record PageLinks([property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Next);

internal static class ApiResults
{
    public static IResult Ok<T>(T result, object? links = null) =>
        TypedResults.Json(new ApiEnvelope<T>(true, result, links, []));

    public static IResult Created<T>(string location, T result) =>
        new CreatedJson<T>(location, new ApiEnvelope<T>(true, result, null, []));

    public static IResult Error(HttpContext context, int statusCode, params ApiError[] errors) =>
        TypedResults.Json(new ApiEnvelope<object>(false, null, null, errors, context.TraceIdentifier), statusCode: statusCode);

    public static IResult Error(HttpContext context, int statusCode, IEnumerable<ApiError> errors) =>
        Error(context, statusCode, [.. errors]);

    public static IResult NotFound(HttpContext context, string what = "key") =>
        Error(context, StatusCodes.Status404NotFound, new ApiError("not_found", $"No {what} with that id."));

    public static Task WriteErrorAsync(HttpContext context, int statusCode, params ApiError[] errors) =>
        Error(context, statusCode, errors).ExecuteAsync(context);

    private sealed class CreatedJson<T>(string location, ApiEnvelope<T> envelope) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers.Location = location;
            return TypedResults.Json(envelope, statusCode: StatusCodes.Status201Created).ExecuteAsync(httpContext);
        }
    }
}
