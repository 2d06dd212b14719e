using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using KeysDashboard.Api;
using KeysDashboard.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace KeysDashboard.Idempotency;

/// <summary>
/// Makes a POST safe to retry. A request with an Idempotency-Key runs once per calling key: a retry with the same
/// body gets the first response again (with <c>Idempotent-Replayed: true</c>), the same Idempotency-Key with
/// another body gets 422, and a retry while the first is still running in this process gets 409. Only successful
/// responses are remembered; a refused request (400, 404) can be corrected and sent again under the same key.
/// </summary>
/// <remarks>
/// The remembered response is written by the same SaveChanges as the key it describes (see <see cref="Remember"/>),
/// so no crash can leave a key without its remembered response or the reverse. It is stored without the secret
/// (<c>result.value</c>): the secret stays only in this process's memory, so a copy of the data directory yields
/// none. A replay after a restart says the secret is unavailable, and the client regenerates the key.
/// </remarks>
internal sealed class IdempotentRequests(
    IDbContextFactory<ApplicationDbContext> dbFactory,
    IdempotencyMemory memory,
    TimeProvider clock,
    IOptions<ApiOptions> options,
    ILogger<IdempotentRequests> logger)
{
    public const string HeaderName = "Idempotency-Key";
    public const string SecretUnavailableHeader = "Idempotent-Secret-Unavailable";
    public const string SecretUnavailableReason =
        "This response is a replay and its secret is no longer held (the server restarted, or the secret was evicted from memory); " +
        "the key exists and works, but its secret was never stored. Regenerate the key to get a new one.";
    private const int MaxKeyLength = 255;

    /// <summary>
    /// Adds the response about to be sent to <paramref name="db"/>, to commit with the write it describes. The
    /// response's secret is not stored: it is given separately and kept in memory only.
    /// </summary>
    public delegate Task Remember(ApplicationDbContext db, IResult response, string secret);

    /// <summary>A response ready to replay: status, Location, ETag and the JSON body bytes, without the secret.</summary>
    public sealed record StoredResponse(int Status, string? Location, string? ETag, byte[] Body);

    /// <param name="action">
    /// Does the work. It gets a <see cref="Remember"/> (null without an Idempotency-Key) to call with its
    /// successful response inside its own transaction.
    /// </param>
    public async Task<IResult> RunAsync(HttpContext context, string callerKeyId, byte[] body, Func<Remember?, Task<IResult>> action)
    {
        var idempotencyKey = context.Request.Headers[HeaderName].ToString();
        if (idempotencyKey.Length == 0)
        {
            return await action(null);
        }
        if (idempotencyKey.Length > MaxKeyLength || idempotencyKey.Any(c => c is < ' ' or > '~'))
        {
            return ApiResults.Error(context, 400, new ApiError("invalid_idempotency_key",
                $"{HeaderName} must be 1 to {MaxKeyLength} printable ASCII characters.", HeaderName));
        }

        var requestHash = Hash(context.Request.Method, context.Request.Path, body);
        var slot = new IdempotencyMemory.Slot(callerKeyId, idempotencyKey);
        if (!memory.InFlight.TryAdd(slot, requestHash))
        {
            return memory.InFlight.TryGetValue(slot, out var runningHash) && runningHash != requestHash
                ? Reused(context)
                : ApiResults.Error(context, 409, new ApiError("request_in_progress",
                    $"A request with this {HeaderName} is still being processed; retry shortly.", HeaderName));
        }
        try
        {
            var now = clock.GetUtcNow().UtcDateTime;
            if (await FindAsync(slot, now, context.RequestAborted) is { } earlier)
            {
                return Answer(context, slot, earlier, requestHash);
            }

            string? secret = null;
            var expiresAt = now.AddHours(options.Value.IdempotencyWindowHours);
            try
            {
                var result = await action(async (db, response, issuedSecret) =>
                {
                    var stored = WithoutSecret(await RenderAsync(context, response));
                    db.IdempotencyRecords.Add(new IdempotencyRecord
                    {
                        CallerKeyId = callerKeyId,
                        Key = idempotencyKey,
                        RequestHash = requestHash,
                        Response = JsonSerializer.Serialize(stored),
                        CreatedAt = now,
                        ExpiresAt = expiresAt,
                    });
                    secret = issuedSecret;
                });
                if (secret is not null)
                {
                    memory.RememberSecret(slot, secret, expiresAt);
                }
                return result;
            }
            catch (DbUpdateException clash) when (clash is not DbUpdateConcurrencyException && secret is not null)
            {
                // The unique index on (caller, key) settled a race with another process: the whole write was rolled
                // back, and the winner's response is the answer.
                if (await FindAsync(slot, now, CancellationToken.None) is { } winner)
                {
                    logger.LogInformation("Idempotency-Key race for caller {CallerKeyId} settled by the unique index; replaying", callerKeyId);
                    return Answer(context, slot, winner, requestHash);
                }
                throw;
            }
        }
        finally
        {
            memory.InFlight.TryRemove(slot, out _);
        }
    }

    public async Task<int> DeleteExpiredAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.IdempotencyRecords.Where(r => r.ExpiresAt <= now).ExecuteDeleteAsync(cancellationToken);
    }

    private async Task<IdempotencyRecord?> FindAsync(IdempotencyMemory.Slot slot, DateTime now, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await db.IdempotencyRecords.Where(r => r.CallerKeyId == slot.CallerKeyId && r.Key == slot.Key && r.ExpiresAt <= now)
            .ExecuteDeleteAsync(cancellationToken);
        return await db.IdempotencyRecords.AsNoTracking()
            .SingleOrDefaultAsync(r => r.CallerKeyId == slot.CallerKeyId && r.Key == slot.Key, cancellationToken);
    }

    private IResult Answer(HttpContext context, IdempotencyMemory.Slot slot, IdempotencyRecord record, string requestHash)
    {
        if (record.RequestHash != requestHash)
        {
            return Reused(context);
        }
        var stored = JsonSerializer.Deserialize<StoredResponse>(record.Response)!;
        return new Replay(stored, memory.SecretOf(slot));
    }

    private static IResult Reused(HttpContext context) =>
        ApiResults.Error(context, 422, new ApiError("idempotency_key_reused",
            $"This {HeaderName} was already used with a different request; use a new key for a new request.", HeaderName));

    /// <summary>The response as stored: <c>result.value</c> (the secret) taken out.</summary>
    private static StoredResponse WithoutSecret(StoredResponse response)
    {
        var json = JsonNode.Parse(response.Body)!;
        if (json["result"] is JsonObject result)
        {
            result.Remove("value");
        }
        return response with { Body = JsonSerializer.SerializeToUtf8Bytes(json) };
    }

    private static string Hash(string method, string path, byte[] body)
    {
        // The request is the method, the path and the body as sent; a retry must send the same bytes' meaning.
        // Whitespace and property order are normalised by re-writing parsed JSON with properties sorted.
        var canonical = "";
        if (body.Length > 0)
        {
            using var document = JsonDocument.Parse(body);
            using var buffer = new MemoryStream();
            using (var writer = new Utf8JsonWriter(buffer))
            {
                WriteCanonical(writer, document.RootElement);
            }
            canonical = Encoding.UTF8.GetString(buffer.ToArray());
        }
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{method} {path}\n{canonical}")));
    }

    private static void WriteCanonical(Utf8JsonWriter writer, JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                foreach (var property in element.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal))
                {
                    writer.WritePropertyName(property.Name);
                    WriteCanonical(writer, property.Value);
                }
                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in element.EnumerateArray())
                {
                    WriteCanonical(writer, item);
                }
                writer.WriteEndArray();
                break;
            default:
                element.WriteTo(writer);
                break;
        }
    }

    private static async Task<StoredResponse> RenderAsync(HttpContext context, IResult result)
    {
        // Run the result against a scratch response to capture exactly what the client would have received.
        var scratch = new DefaultHttpContext { RequestServices = context.RequestServices };
        scratch.Request.Scheme = context.Request.Scheme;
        scratch.Request.Host = context.Request.Host;
        scratch.TraceIdentifier = context.TraceIdentifier;
        using var buffer = new MemoryStream();
        scratch.Response.Body = buffer;
        await result.ExecuteAsync(scratch);
        return new StoredResponse(
            scratch.Response.StatusCode,
            scratch.Response.Headers.Location.ToString() is { Length: > 0 } location ? location : null,
            scratch.Response.Headers.ETag.ToString() is { Length: > 0 } etag ? etag : null,
            buffer.ToArray());
    }

    /// <summary>A remembered response, with its secret put back if this process still holds it, or a say-so if not.</summary>
    private sealed class Replay(StoredResponse response, string? secret) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            var json = JsonNode.Parse(response.Body)!;
            if (json["result"] is JsonObject result && response.Status is >= 200 and < 300)
            {
                result["value"] = secret;
                if (secret is null)
                {
                    result["value_unavailable_reason"] = SecretUnavailableReason;
                    httpContext.Response.Headers[SecretUnavailableHeader] = "true";
                }
            }

            httpContext.Response.StatusCode = response.Status;
            httpContext.Response.ContentType = "application/json; charset=utf-8";
            if (response.Location is not null)
            {
                httpContext.Response.Headers.Location = response.Location;
            }
            if (response.ETag is not null)
            {
                httpContext.Response.Headers.ETag = response.ETag;
            }
            httpContext.Response.Headers["Idempotent-Replayed"] = "true";
            await httpContext.Response.Body.WriteAsync(JsonSerializer.SerializeToUtf8Bytes(json));
        }
    }
}

/// <summary>
/// What idempotency keeps in this process only: the requests running now (for 409), and the secrets of remembered
/// responses, which are never written to disk. Bounded: when full, the oldest secrets go first and their
/// replays say the secret is unavailable.
/// </summary>
internal sealed class IdempotencyMemory : IDisposable
{
    public const int MaxSecrets = 10_000;

    public readonly record struct Slot(string CallerKeyId, string Key);

    private readonly MemoryCache secrets = new(new MemoryCacheOptions { SizeLimit = MaxSecrets });

    /// <summary>Caller and Idempotency-Key of each request running now, with its request hash.</summary>
    public ConcurrentDictionary<Slot, string> InFlight { get; } = new();

    public void RememberSecret(Slot slot, string secret, DateTime expiresAt) =>
        secrets.Set(slot, secret, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpiration = new DateTimeOffset(expiresAt, TimeSpan.Zero) });

    public string? SecretOf(Slot slot) => secrets.TryGetValue(slot, out string? secret) ? secret : null;

    /// <summary>What a restart does to memory.</summary>
    public void ForgetSecrets() => secrets.Clear();

    public void Dispose() => secrets.Dispose();
}

/// <summary>Deletes remembered responses (and so the secrets they hold) once their window has passed.</summary>
internal sealed class IdempotencySweeper(IServiceScopeFactory scopes, ILogger<IdempotencySweeper> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMinutes(5));
        try
        {
            do
            {
                await SweepAsync(stoppingToken);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task SweepAsync(CancellationToken stoppingToken)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var deleted = await scope.ServiceProvider.GetRequiredService<IdempotentRequests>().DeleteExpiredAsync(stoppingToken);
            if (deleted > 0)
            {
                logger.LogInformation("Deleted {Count} expired idempotency records", deleted);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning(e, "Could not delete expired idempotency records");
        }
    }
}
