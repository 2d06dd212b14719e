using System.Globalization;
using System.Security.Claims;
using System.Text.Json;
using KeysDashboard.Access;
using KeysDashboard.Api;
using KeysDashboard.Audit;
using KeysDashboard.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.OpenApi;

namespace Microsoft.AspNetCore.Routing;

/// <summary>
/// The audit log's doors besides the page: GET /api/v2/audit for keys holding audit:read, and the dashboard's
/// CSV download. Both only translate the request into a call to <see cref="AuditLog"/>, which refuses and audits.
/// </summary>
internal static class AuditApi
{
    public const int DefaultLimit = 25;
    public const int MaxLimit = 100;
    public const string Tag = "Audit";

    private static readonly string[] Parameters = [.. AuditFilter.Names, "limit", "cursor"];

    public static RouteGroupBuilder MapAuditApi(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup("/api/v2")
            .RequireAuthorization(ApiAuthorization.Policy)
            .RequireRateLimiting(ApiRateLimits.PerKeyPolicy)
            .WithTags(Tag)
            .AddEndpointFilter(RefusedAsForbidden)
            .ProducesEnvelopeErrors(401, 403, 429, 500);

        var list = api.MapGet("/audit", ListAsync).WithName("ListAuditEntries")
            .WithSummary("List audit log rows, oldest first, a page at a time")
            .WithDescription("Needs the audit:read scope. Filters combine; follow links.next until it is absent. Pages are by the " +
                "order rows were written, so rows added meanwhile come on later pages. seq and hash are null for a row written " +
                "moments ago and not yet chained. Any other query parameter is refused.")
            .WithQueryParameter("actor", "Rows whose actor has this id, or a name containing this text.", new() { Type = JsonSchemaType.String, MaxLength = 256 })
            .WithQueryParameter("key", "Rows about the key with this id.", new() { Type = JsonSchemaType.String, MaxLength = 256 })
            .WithQueryParameter("action", "Rows with this action (key.disabled), or a family of actions ending in . or .* (key.*).",
                new() { Type = JsonSchemaType.String, MaxLength = 256 })
            .WithQueryParameter("outcome", "success, refused or failure.",
                new() { Type = JsonSchemaType.String, Enum = [.. AuditFilter.Outcomes.Select(o => (System.Text.Json.Nodes.JsonNode)System.Text.Json.Nodes.JsonValue.Create(o))] })
            .WithQueryParameter("from", "Rows at or after this UTC date (2026-01-31) or ISO 8601 time with Z or an offset.",
                new() { Type = JsonSchemaType.String })
            .WithQueryParameter("to", "Rows at or before this time; a date includes that whole UTC day.", new() { Type = JsonSchemaType.String })
            .WithQueryParameter("limit", $"Rows per page, 1 to {MaxLimit}; {DefaultLimit} when absent.",
                new() { Type = JsonSchemaType.Integer, Minimum = "1", Maximum = MaxLimit.ToString(CultureInfo.InvariantCulture) })
            .WithQueryParameter("cursor", "Where the page starts: the cursor from the previous page's links.next. Absent for the first page.",
                new() { Type = JsonSchemaType.String })
            .Produces<ApiEnvelope<List<AuditResource>>>();
        list.WithMetadata(new ProducesResponseTypeMetadata(400, typeof(ApiEnvelope<object>), ["application/json"]));
        return api;
    }

    /// <summary>The CSV download of the page's filtered rows, for signed-in people (the dashboard's cookie).</summary>
    public static IEndpointConventionBuilder MapAuditExport(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapGet("/audit/export.csv", ExportAsync)
            .RequireAuthorization()
            .ExcludeFromDescription();

    /// <summary>The service refuses; here a refusal becomes 403 with the reason (already in the audit log).</summary>
    private static async ValueTask<object?> RefusedAsForbidden(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        try
        {
            return await next(invocation);
        }
        catch (AccessDeniedException denied)
        {
            return ApiResults.Error(invocation.HttpContext, StatusCodes.Status403Forbidden,
                new ApiError(denied.Beyond ? "beyond_own_bounds" : "insufficient_scope", denied.Message));
        }
    }

    private static async Task<IResult> ListAsync(HttpContext context, AuditLog audit, AuditCursor cursors, PublicUrls urls)
    {
        var request = context.Request.Query;
        var query = AuditFilter.Parse(name => request.TryGetValue(name, out var v) ? v.ToString() : null, out var filterErrors);
        var errors = filterErrors.Select(e => new ApiError("invalid_value", e.Message, e.Field)).ToList();
        var limit = DefaultLimit;
        var limitText = request["limit"].ToString();
        if (limitText.Length > 0 && (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > MaxLimit))
        {
            errors.Add(new ApiError("invalid_limit", $"limit must be a whole number from 1 to {MaxLimit}.", "limit"));
        }
        long? after = null;
        var cursorText = request["cursor"].ToString();
        if (cursorText.Length > 0)
        {
            if (cursors.TryRead(cursorText, out var lastId))
            {
                after = lastId;
            }
            else
            {
                errors.Add(new ApiError("invalid_cursor", "cursor is not one this server issued, or it has expired; start again without it.", "cursor"));
            }
        }
        foreach (var name in request.Keys)
        {
            if (!Parameters.Contains(name, StringComparer.OrdinalIgnoreCase))
            {
                errors.Add(new ApiError("unknown_parameter", $"'{name}' is not a parameter of this request.", name));
            }
            else if (request[name].Count > 1)
            {
                errors.Add(new ApiError("repeated_parameter", $"'{name}' may be given once.", name));
            }
        }
        if (errors.Count > 0)
        {
            return ApiResults.Error(context, 400, errors);
        }

        var (rows, hasMore) = await audit.PageAfterAsync(query, after, limit, context.ApiActor(), context.RequestAborted);
        string? next = null;
        if (hasMore)
        {
            var kept = request.Where(p => !p.Key.Equals("cursor", StringComparison.OrdinalIgnoreCase) && !p.Key.Equals("limit", StringComparison.OrdinalIgnoreCase))
                .Select(p => new KeyValuePair<string, string?>(p.Key.ToLowerInvariant(), p.Value.ToString()))
                .Append(new("limit", limit.ToString(CultureInfo.InvariantCulture)))
                .Append(new("cursor", cursors.Create(rows[^1].Id)));
            next = Microsoft.AspNetCore.WebUtilities.QueryHelpers.AddQueryString($"{urls.BaseUrl(context.Request)}/api/v2/audit", kept);
        }
        return ApiResults.Ok(rows.Select(AuditResource.From).ToList(), new PageLinks(next));
    }

    private static async Task<IResult> ExportAsync(HttpContext context, AuditLog audit, KeysDashboard.Users.PersonActors people, TimeProvider clock)
    {
        var request = context.Request.Query;
        var query = AuditFilter.Parse(name => request.TryGetValue(name, out var v) ? v.ToString() : null, out var errors);
        if (errors.Count > 0)
        {
            return TypedResults.Text(string.Join("\n", errors.Select(e => e.Message)), "text/plain; charset=utf-8", statusCode: StatusCodes.Status400BadRequest);
        }
        var actor = await people.ForAsync(context);
        IAsyncEnumerable<AuditEntry> rows;
        try
        {
            rows = await audit.ExportAsync(query, actor, context.RequestAborted);
        }
        catch (AccessDeniedException denied)
        {
            return TypedResults.Text(denied.Message, "text/plain; charset=utf-8", statusCode: StatusCodes.Status403Forbidden);
        }
        var name = $"audit-{clock.GetUtcNow().UtcDateTime.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}.csv";
        context.Response.Headers.CacheControl = "no-store";
        return TypedResults.Stream(body => AuditCsv.WriteAsync(rows, body, context.RequestAborted), "text/csv; charset=utf-8", name);
    }

    private static TBuilder ProducesEnvelopeErrors<TBuilder>(this TBuilder builder, params int[] statuses)
        where TBuilder : IEndpointConventionBuilder
    {
        foreach (var status in statuses)
        {
            builder.WithMetadata(new ProducesResponseTypeMetadata(status, typeof(ApiEnvelope<object>), ["application/json"]));
        }
        return builder;
    }
}

/// <summary>One audit row as GET /api/v2/audit returns it. <c>details</c> is the JSON object the row recorded.</summary>
public sealed record AuditResource(
    long Id,
    long? Seq,
    DateTime Time,
    string ActorKind,
    string ActorId,
    string ActorName,
    string Action,
    string Outcome,
    string? KeyId,
    string? KeyName,
    string? TargetId,
    string? TargetName,
    string? ClientIp,
    string? RequestId,
    string? Reason,
    JsonElement? Details,
    string? Hash)
{
    internal static AuditResource From(AuditEntry row) => new(
        row.Id, row.Seq, DateTime.SpecifyKind(row.At, DateTimeKind.Utc), row.ActorKind, row.ActorId, row.ActorName, row.Action, row.Outcome,
        row.KeyId, row.KeyName, row.TargetId, row.TargetName, row.ClientIp, row.RequestId, row.Reason, ParseDetails(row.Details), row.Hash);

    private static JsonElement? ParseDetails(string? details)
    {
        if (string.IsNullOrEmpty(details))
        {
            return null;
        }
        try
        {
            using var json = JsonDocument.Parse(details);
            return json.RootElement.ValueKind == JsonValueKind.Object ? json.RootElement.Clone() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
