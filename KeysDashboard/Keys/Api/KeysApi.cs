using System.Globalization;
using KeysDashboard.Api;
using KeysDashboard.Idempotency;
using KeysDashboard.Keys;
using KeysDashboard.Keys.Api;
using Microsoft.OpenApi;

namespace Microsoft.AspNetCore.Routing;

/// <summary>
/// The Vidbeo-compatible key API under /api/v2. Every rule lives in <see cref="KeyService"/>; these handlers
/// only translate JSON to calls and results to the envelope.
/// </summary>
internal static class KeysApi
{
    public const int DefaultLimit = 25;
    public const int MaxLimit = 100;

    public static RouteGroupBuilder MapKeysApi(this IEndpointRouteBuilder endpoints)
    {
        // Every operation can meet a refused key (401), an address outside the key's allowlist (403), a limit (429)
        // and an unexpected failure (500); the rest are listed per operation, only where they can happen.
        var api = endpoints.MapGroup("/api/v2")
            .RequireAuthorization(ApiAuthorization.Policy)
            .RequireRateLimiting(ApiRateLimits.PerKeyPolicy)
            .WithTags("Keys")
            .AddEndpointFilter(RefusedAsForbidden)
            .ProducesEnvelopeErrors(401, 403, 429, 500);

        api.MapGet("/keys", ListAsync).WithName("ListKeys")
            .WithSummary("List keys, oldest first, a page at a time")
            .WithDescription("Pages stay stable while keys are created or deleted: follow links.next until it is absent. " +
                "Any query parameter other than limit and cursor is refused.")
            .WithQueryParameter("limit", $"Keys per page, 1 to {MaxLimit}; {DefaultLimit} when absent.",
                new() { Type = JsonSchemaType.Integer, Minimum = "1", Maximum = MaxLimit.ToString(CultureInfo.InvariantCulture) })
            .WithQueryParameter("cursor", "Where the page starts: the cursor from the previous page's links.next. Absent for the first page.",
                new() { Type = JsonSchemaType.String })
            .Produces<ApiEnvelope<List<KeyResource>>>()
            .ProducesEnvelopeErrors(400);
        api.MapGet("/keys/{id}", GetAsync).WithName("GetKey")
            .WithSummary("Get one key")
            .WithDescription("The key's settings, status and last use; never its secret.")
            .Produces<ApiEnvelope<KeyResource>>()
            .ProducesEnvelopeErrors(404);
        api.MapPost("/keys", CreateAsync).WithName("CreateKey")
            .WithSummary("Create a key; the response's value is its secret, shown once")
            .WithDescription("Only name is required. Send Idempotency-Key to make retries safe: a retry with the same key and body " +
                "gets the first answer again. Needs keys:manage; the new key's scopes, allowlist and expiry must lie within the " +
                "calling key's own. Without scopes (or with Vidbeo's permissions) it gets the caller's scopes, read-only for [\"fetch\"].")
            .WithIdempotencyKey()
            .Accepts<CreateKeyRequest>("application/json")
            .Produces<ApiEnvelope<KeyResource>>(StatusCodes.Status201Created)
            .ProducesEnvelopeErrors(400, 409, 413, 415, 422);
        api.MapMethods("/keys/{id}", [HttpMethods.Patch], UpdateAsync).WithName("UpdateKey")
            .WithSummary("Change any of name, scopes (or permissions), ips, enabled, expires_time")
            .WithDescription("Only the fields sent change; expires_time null removes the expiry. Send If-Match with the key's ETag " +
                "to change it only if nobody else has since. Needs keys:manage, and the key and its new settings must lie within the calling key's own.")
            .WithIfMatch()
            .Accepts<UpdateKeyRequest>("application/json")
            .Produces<ApiEnvelope<KeyResource>>()
            .ProducesEnvelopeErrors(400, 404, 409, 412, 413, 415);
        api.MapDelete("/keys/{id}", DeleteAsync).WithName("DeleteKey")
            .WithSummary("Delete a key; its secret stops working at once")
            .WithDescription("The result is an empty object. Send If-Match with the key's ETag to delete it only if nobody changed it " +
                "since. Needs keys:manage, and no scope the calling key lacks on the deleted key.")
            .WithIfMatch()
            .Produces<ApiEnvelope<object>>()
            .ProducesEnvelopeErrors(400, 404, 409, 412);
        api.MapPost("/keys/{id}/regenerate", RegenerateAsync).WithName("RegenerateKey")
            .WithSummary("Issue a new secret; the old one works for grace_period_seconds (0..86400, default 0)")
            .WithDescription("The body is optional. Send Idempotency-Key to make retries safe, and If-Match with the key's ETag to " +
                "rotate it only if nobody changed it since. Needs keys:manage, and the key must lie within the calling key's own scopes, allowlist and expiry.")
            .WithIdempotencyKey()
            .WithIfMatch()
            .Accepts<RegenerateKeyRequest>(isOptional: true, "application/json")
            .Produces<ApiEnvelope<KeyResource>>()
            .ProducesEnvelopeErrors(400, 404, 409, 412, 413, 415, 422);
        api.MapGet("/me", Me).WithName("GetCallingKey")
            .WithSummary("The key this request is authenticated with")
            .WithDescription("Lets a client check its own key: name, permissions, allowlist, expiry.")
            .Produces<ApiEnvelope<KeyResource>>();
        api.MapPost("/verify", VerifyAsync).WithName("VerifyKey")
            .WithSummary("Check a key for another service: valid, or why not")
            .WithDescription("code is VALID, DISABLED, EXPIRED, IP_NOT_ALLOWED (only checked when ip is sent) or NOT_FOUND; key is " +
                "absent when the key is not found, and carries the key's scopes for the calling service to enforce. The calling key " +
                "needs the verify scope. Rate limited per calling key.")
            .RequireRateLimiting(ApiRateLimits.VerifyPolicy)
            .Accepts<VerifyKeyRequest>("application/json")
            .Produces<ApiEnvelope<VerifyResult>>()
            .ProducesEnvelopeErrors(400, 413, 415);

        return api;
    }

    /// <summary>The services refuse; here a refusal becomes 403 with the reason (already in the audit log).</summary>
    private static async ValueTask<object?> RefusedAsForbidden(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        try
        {
            return await next(invocation);
        }
        catch (KeysDashboard.Access.AccessDeniedException denied)
        {
            var context = invocation.HttpContext;
            var caller = ApiKeyAuthenticationHandler.CallingKey(context);
            var code = denied.Beyond ? "beyond_own_bounds"
                : caller is { ReadOnly: true } && KeysDashboard.Access.AccessTable.ForScopes([KeysDashboard.Access.KeyScopes.KeysManage]).Contains(denied.Permission)
                    && KeysDashboard.Access.AccessTable.Expand(caller.Scopes).Contains(KeysDashboard.Access.KeyScopes.KeysRead)
                    ? "read_only_key"
                    : "insufficient_scope";
            return ApiResults.Error(context, StatusCodes.Status403Forbidden, new ApiError(code, denied.Message));
        }
    }

    private static async Task<IResult> ListAsync(HttpContext context, KeyList keyList, KeyCursor cursors, PublicUrls urls, TimeProvider clock)
    {
        var errors = new List<ApiError>();
        var limit = DefaultLimit;
        var limitText = context.Request.Query["limit"].ToString();
        if (limitText.Length > 0 && (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > MaxLimit))
        {
            errors.Add(new ApiError("invalid_limit", $"limit must be a whole number from 1 to {MaxLimit}.", "limit"));
        }
        string? after = null;
        var cursorText = context.Request.Query["cursor"].ToString();
        if (cursorText.Length > 0 && !cursors.TryRead(cursorText, out after!))
        {
            errors.Add(new ApiError("invalid_cursor", "cursor is not one this server issued, or it has expired; start again without it.", "cursor"));
        }
        foreach (var unknown in context.Request.Query.Keys.Except(["limit", "cursor"], StringComparer.OrdinalIgnoreCase))
        {
            errors.Add(new ApiError("unknown_parameter", $"'{unknown}' is not a parameter of this request.", unknown));
        }
        if (errors.Count > 0)
        {
            return ApiResults.Error(context, 400, errors);
        }

        var (keys, hasMore) = await keyList.PageAfterAsync(after, limit, context.ApiActor(), context.RequestAborted);
        var now = clock.GetUtcNow().UtcDateTime;
        var next = hasMore
            ? $"{urls.BaseUrl(context.Request)}/api/v2/keys?limit={limit}&cursor={Uri.EscapeDataString(cursors.Create(keys[^1].Id))}"
            : null;
        return ApiResults.Ok(keys.Select(k => KeyResource.From(k, now)).ToList(), new PageLinks(next));
    }

    private static async Task<IResult> GetAsync(string id, HttpContext context, KeyService keys, TimeProvider clock) =>
        await keys.FindAsync(id, context.ApiActor(), context.RequestAborted) is { } key
            ? WithETag(key, ApiResults.Ok(KeyResource.From(key, clock.GetUtcNow().UtcDateTime)))
            : ApiResults.NotFound(context);

    private static IResult Me(HttpContext context, TimeProvider clock)
    {
        var key = ApiKeyAuthenticationHandler.CallingKey(context)!;
        return WithETag(key, ApiResults.Ok(KeyResource.From(key, clock.GetUtcNow().UtcDateTime)));
    }

    private static async Task<IResult> CreateAsync(HttpContext context, KeyService keys, IdempotentRequests idempotency, TimeProvider clock)
    {
        var body = await JsonBody.ReadObjectAsync(context);
        if (body.Error is not null)
        {
            return body.Error;
        }

        var fields = new JsonFields(body.Body!.Value);
        var type = fields.String("type");
        if (fields.Has("type") && type is not null && type != KeyResource.ApiType)
        {
            fields.Errors.Add(new ApiError("invalid_type", "type must be \"api\", the only type of key there is.", "type"));
        }
        var name = fields.String("name");
        if (!fields.Has("name"))
        {
            fields.Errors.Add(new ApiError("required", "name is required (1 to 50 characters).", "name"));
        }
        var readOnly = ReadPermissions(fields);
        var scopes = ReadScopes(fields);
        var ips = fields.StringArray("ips");
        var expires = fields.DateTime("expires_time");
        fields.RejectUnknown();
        AddRuleErrors(fields, name, fields.Has("name") && name is not null, ips, expires, clock);
        if (fields.Errors.Count > 0)
        {
            return ApiResults.Error(context, 400, fields.Errors);
        }

        var caller = context.ApiActor();
        // Vidbeo's clients send no scopes: the new key gets the caller's own, read-only for ["fetch"].
        var draftScopes = scopes ?? KeysDashboard.Access.VidbeoPermissions.Apply(ApiKeyAuthenticationHandler.CallingKey(context)!.Scopes, readOnly ?? false);
        return await idempotency.RunAsync(context, caller.Id, body.Raw, async remember =>
        {
            IResult Response(IssuedKey issued) => WithETag(issued.Key, ApiResults.Created(
                $"{context.Request.PathBase}/api/v2/keys/{issued.Key.Id}", KeyResource.From(issued.Key, clock.GetUtcNow().UtcDateTime, issued.Secret)));
            try
            {
                var issued = await keys.CreateAsync(new KeyDraft(name ?? "", readOnly ?? false, ips ?? [], expires, draftScopes), caller, context.RequestAborted,
                    remember is null ? null : (db, issued) => remember(db, Response(issued), issued.Secret));
                return Response(issued);
            }
            catch (KeyValidationException invalid)
            {
                return ValidationError(context, invalid);
            }
        });
    }

    private static async Task<IResult> UpdateAsync(string id, HttpContext context, KeyService keys, TimeProvider clock)
    {
        var body = await JsonBody.ReadObjectAsync(context);
        if (body.Error is not null)
        {
            return body.Error;
        }

        if (!TryReadIfMatch(context, out var ifVersion, out var badIfMatch))
        {
            return badIfMatch;
        }

        var fields = new JsonFields(body.Body!.Value);
        var name = fields.String("name");
        var readOnly = ReadPermissions(fields);
        var scopes = ReadScopes(fields);
        var ips = fields.StringArray("ips");
        var enabled = fields.Bool("enabled");
        var expires = fields.DateTime("expires_time");
        var clearExpiry = fields.Has("expires_time") && fields.IsNull("expires_time");
        fields.RejectUnknown();
        AddRuleErrors(fields, name, name is not null, ips, expires, clock);
        if (fields.Errors.Count == 0 && !body.Body.Value.EnumerateObject().Any())
        {
            fields.Errors.Add(new ApiError("empty_update", "Send at least one of name, scopes, permissions, ips, enabled, expires_time."));
        }
        if (fields.Errors.Count > 0)
        {
            return ApiResults.Error(context, 400, fields.Errors);
        }

        try
        {
            var updated = await keys.UpdateAsync(
                id, new KeyChanges(name, readOnly, ips, enabled, expires, clearExpiry, scopes), context.ApiActor(), context.RequestAborted, ifVersion);
            return updated is null
                ? ApiResults.NotFound(context)
                : WithETag(updated, ApiResults.Ok(KeyResource.From(updated, clock.GetUtcNow().UtcDateTime)));
        }
        catch (KeyValidationException invalid)
        {
            return ValidationError(context, invalid);
        }
        catch (KeyChangedException changed)
        {
            return Changed(context, changed, ifVersion);
        }
    }

    private static async Task<IResult> DeleteAsync(string id, HttpContext context, KeyService keys)
    {
        if (!TryReadIfMatch(context, out var ifVersion, out var badIfMatch))
        {
            return badIfMatch;
        }
        try
        {
            return await keys.DeleteAsync(id, context.ApiActor(), context.RequestAborted, ifVersion)
                ? ApiResults.Ok(new { })
                : ApiResults.NotFound(context);
        }
        catch (KeyChangedException changed)
        {
            return Changed(context, changed, ifVersion);
        }
    }

    private static async Task<IResult> RegenerateAsync(string id, HttpContext context, KeyService keys, IdempotentRequests idempotency, TimeProvider clock)
    {
        var body = await JsonBody.ReadObjectAsync(context, optional: true);
        if (body.Error is not null)
        {
            return body.Error;
        }

        if (!TryReadIfMatch(context, out var ifVersion, out var badIfMatch))
        {
            return badIfMatch;
        }

        long graceSeconds = 0;
        if (body.Body is { } json)
        {
            var fields = new JsonFields(json);
            graceSeconds = fields.Integer("grace_period_seconds") ?? 0;
            if (graceSeconds is < 0 or > 86_400)
            {
                fields.Errors.Add(new ApiError("invalid_grace_period", "grace_period_seconds must be from 0 to 86400.", "grace_period_seconds"));
            }
            fields.RejectUnknown();
            if (fields.Errors.Count > 0)
            {
                return ApiResults.Error(context, 400, fields.Errors);
            }
        }

        var caller = context.ApiActor();
        return await idempotency.RunAsync(context, caller.Id, body.Raw, async remember =>
        {
            IResult Response(IssuedKey issued) =>
                WithETag(issued.Key, ApiResults.Ok(KeyResource.From(issued.Key, clock.GetUtcNow().UtcDateTime, issued.Secret)));
            try
            {
                var issued = await keys.RegenerateAsync(id, TimeSpan.FromSeconds(graceSeconds), caller, context.RequestAborted, ifVersion,
                    remember is null ? null : (db, issued) => remember(db, Response(issued), issued.Secret));
                return issued is null ? ApiResults.NotFound(context) : Response(issued);
            }
            catch (KeyChangedException changed)
            {
                return Changed(context, changed, ifVersion);
            }
        });
    }

    private static async Task<IResult> VerifyAsync(HttpContext context, KeyService keys, TimeProvider clock)
    {
        var body = await JsonBody.ReadObjectAsync(context);
        if (body.Error is not null)
        {
            return body.Error;
        }

        var fields = new JsonFields(body.Body!.Value);
        var presented = fields.String("key");
        if (!fields.Has("key"))
        {
            fields.Errors.Add(new ApiError("required", "key is required: the API key to check.", "key"));
        }
        var ipText = fields.String("ip");
        System.Net.IPAddress? ip = null;
        if (ipText is not null && !IpAllowlist.TryParseAddress(ipText, out ip, out var ipError))
        {
            fields.Errors.Add(new ApiError("invalid_ip", ipError!, "ip"));
        }
        fields.RejectUnknown();
        if (fields.Errors.Count > 0)
        {
            return ApiResults.Error(context, 400, fields.Errors);
        }

        // Without an ip, the allowlist is not checked: the caller is asking about the key, not about a request.
        var verification = await keys.CheckAsync(presented, ip, context.ApiActor(), context.RequestAborted, checkAllowlist: ip is not null);
        var code = verification.Code switch
        {
            KeyVerificationCode.Valid => "VALID",
            KeyVerificationCode.Disabled => "DISABLED",
            KeyVerificationCode.Expired => "EXPIRED",
            KeyVerificationCode.IpNotAllowed => "IP_NOT_ALLOWED",
            _ => "NOT_FOUND",
        };
        var key = verification.Key is { } found ? KeyResource.From(found, clock.GetUtcNow().UtcDateTime) : null;
        return ApiResults.Ok(new VerifyResult(verification.IsValid, code, key));
    }

    private static bool? ReadPermissions(JsonFields fields)
    {
        var permissions = fields.StringArray("permissions");
        if (permissions is null)
        {
            return null;
        }
        var unknown = permissions.Where(p => p != KeyResource.ReadOnlyPermission).ToList();
        if (unknown.Count > 0)
        {
            fields.Errors.Add(new ApiError("invalid_permission",
                $"Unknown permission '{unknown[0]}': use [] for read/write or [\"fetch\"] for read-only.", "permissions"));
            return null;
        }
        return permissions.Count > 0;
    }

    /// <summary>
    /// The scopes field: known scope names (see GET /api/v2/me for a key's own). Sent with permissions it is refused:
    /// they are two views of one thing, and a request must not say both.
    /// </summary>
    private static List<string>? ReadScopes(JsonFields fields)
    {
        var scopes = fields.StringArray("scopes");
        if (scopes is null)
        {
            return null;
        }
        if (fields.Has("permissions"))
        {
            fields.Errors.Add(new ApiError("conflicting_fields", "Send scopes or Vidbeo's permissions, not both.", "scopes"));
            return null;
        }
        if (KeyRules.CheckScopes(scopes) is { } unknown)
        {
            fields.Errors.Add(new ApiError("invalid_scope", unknown, "scopes"));
            return null;
        }
        return scopes;
    }

    private static void AddRuleErrors(JsonFields fields, string? name, bool nameSet, List<string>? ips, DateTime? expires, TimeProvider clock)
    {
        var broken = KeyRules.Check(name, nameSet, ips, expires, clock.GetUtcNow().UtcDateTime, out _);
        fields.Errors.AddRange(broken.SelectMany(e => e.Value.Select(m => new ApiError("invalid_value", m, e.Key))));
    }

    /// <summary>A key's ETag: strong, and changed by every write of the key.</summary>
    public static string ETagOf(ApiKey key) => $"\"{key.Version.ToString(CultureInfo.InvariantCulture)}\"";

    private static IResult WithETag(ApiKey key, IResult result) => new ETagged(ETagOf(key), result);

    /// <summary>
    /// Reads If-Match: absent means no precondition (null); <c>*</c> means any version of an existing key; else the
    /// versions named by its strong entity tags (a weak tag never matches, RFC 9110 section 13.1.1). A header that
    /// is not a list of entity tags is refused with 400 rather than guessed at.
    /// </summary>
    private static bool TryReadIfMatch(HttpContext context, out IReadOnlyCollection<int>? versions, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out IResult? error)
    {
        versions = null;
        error = null;
        var header = context.Request.Headers.IfMatch;
        if (header.Count == 0)
        {
            return true;
        }
        if (!Microsoft.Net.Http.Headers.EntityTagHeaderValue.TryParseStrictList(header, out var tags) || tags.Count == 0)
        {
            error = ApiResults.Error(context, StatusCodes.Status400BadRequest, new ApiError("invalid_if_match",
                "If-Match must be * or a list of entity tags as sent in ETag, such as \"3\".", "If-Match"));
            return false;
        }
        if (tags.Any(t => t.Tag == "*"))
        {
            return true;
        }
        versions = [.. tags
            .Where(t => !t.IsWeak)
            .Select(t => int.TryParse(t.Tag.AsSpan(1, t.Tag.Length - 2), NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : -1)
            .Where(v => v > 0)];
        return true;
    }

    private static IResult Changed(HttpContext context, KeyChangedException changed, IReadOnlyCollection<int>? ifVersion) =>
        ifVersion is not null
            ? ApiResults.Error(context, StatusCodes.Status412PreconditionFailed, new ApiError("precondition_failed",
                $"The key has changed since the version named in If-Match (it is now {ETagOf(changed.Current)}); GET it again and decide on the fresh values.",
                "If-Match"))
            : ApiResults.Error(context, StatusCodes.Status409Conflict, new ApiError("conflict",
                "The key is being changed by other requests at the same moment; retry."));

    private static IResult ValidationError(HttpContext context, KeyValidationException invalid) =>
        ApiResults.Error(context, 400, invalid.Errors.SelectMany(e => e.Value.Select(m => new ApiError("invalid_value", m, e.Key))));

    private static TBuilder ProducesEnvelopeErrors<TBuilder>(this TBuilder builder, params int[] statuses)
        where TBuilder : IEndpointConventionBuilder
    {
        foreach (var status in statuses)
        {
            builder.WithMetadata(new ProducesResponseTypeMetadata(status, typeof(ApiEnvelope<object>), ["application/json"]));
        }
        return builder;
    }

    private static RouteHandlerBuilder WithIdempotencyKey(this RouteHandlerBuilder builder) =>
        builder.WithHeaderParameter(IdempotentRequests.HeaderName,
            "Any unique string (a UUID, say), 1 to 255 printable ASCII characters. A retry with the same key and body is answered " +
            "with the first response (Idempotent-Replayed: true) instead of being done twice.",
            new() { Type = JsonSchemaType.String, MinLength = 1, MaxLength = 255 });

    private static RouteHandlerBuilder WithIfMatch(this RouteHandlerBuilder builder) =>
        builder.WithHeaderParameter("If-Match",
            "The key's ETag from an earlier response: the request is refused with 412 if the key has changed since.",
            new() { Type = JsonSchemaType.String });

    private sealed class ETagged(string etag, IResult inner) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers.ETag = etag;
            return inner.ExecuteAsync(httpContext);
        }
    }
}
