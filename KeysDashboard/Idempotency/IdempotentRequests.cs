using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using KeysDashboard.Api;
using KeysDashboard.Data;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace KeysDashboard.Idempotency;

/// <summary>
/// Makes a POST safe to retry. A request with an Idempotency-Key runs once per calling key: a retry with the same
/// body gets the first response again (with <c>Idempotent-Replayed: true</c>), the same Idempotency-Key with
/// another body gets 422, and a retry while the first is still running gets 409. Only successful responses are
/// remembered; a refused request (400, 404) can be corrected and sent again under the same Idempotency-Key.
/// </summary>
internal sealed class IdempotentRequests(
    IDbContextFactory<ApplicationDbContext> dbFactory,
    IDataProtectionProvider dataProtection,
    TimeProvider clock,
    IOptions<ApiOptions> options)
{
    public const string HeaderName = "Idempotency-Key";
    private const int MaxKeyLength = 255;

    private readonly IDataProtector protector = dataProtection.CreateProtector("KeysDashboard.Idempotency.v1");

    /// <summary>A response ready to replay: status, Location and the JSON body bytes.</summary>
    public sealed record StoredResponse(int Status, string? Location, byte[] Body);

    public async Task<IResult> RunAsync(HttpContext context, string callerKeyId, byte[] body, Func<Task<IResult>> action)
    {
        var idempotencyKey = context.Request.Headers[HeaderName].ToString();
        if (idempotencyKey.Length == 0)
        {
            return await action();
        }
        if (idempotencyKey.Length > MaxKeyLength || idempotencyKey.Any(c => c is < ' ' or > '~'))
        {
            return ApiResults.Error(context, 400, new ApiError("invalid_idempotency_key",
                $"{HeaderName} must be 1 to {MaxKeyLength} printable ASCII characters.", HeaderName));
        }

        var requestHash = Hash(context.Request.Method, context.Request.Path, body);
        var now = clock.GetUtcNow().UtcDateTime;
        var record = await ClaimAsync(callerKeyId, idempotencyKey, requestHash, now, context.RequestAborted);
        if (record is not null)
        {
            if (record.RequestHash != requestHash)
            {
                return ApiResults.Error(context, 422, new ApiError("idempotency_key_reused",
                    $"This {HeaderName} was already used with a different request; use a new key for a new request.", HeaderName));
            }
            if (!record.Completed)
            {
                return ApiResults.Error(context, 409, new ApiError("request_in_progress",
                    $"A request with this {HeaderName} is still being processed; retry shortly.", HeaderName));
            }
            return new Replay(Unprotect(record.ProtectedResponse!));
        }

        IResult result;
        StoredResponse response;
        try
        {
            result = await action();
            response = await RenderAsync(context, result);
        }
        catch
        {
            await ForgetAsync(callerKeyId, idempotencyKey);
            throw;
        }

        if (response.Status is >= 200 and < 300)
        {
            await CompleteAsync(callerKeyId, idempotencyKey, Protect(response));
        }
        else
        {
            await ForgetAsync(callerKeyId, idempotencyKey);
        }
        return new Replay(response, replayed: false);
    }

    public async Task<int> DeleteExpiredAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.IdempotencyRecords.Where(r => r.ExpiresAt <= now).ExecuteDeleteAsync(cancellationToken);
    }

    /// <summary>Inserts a pending record and returns null, or returns the record that already holds this key.</summary>
    private async Task<IdempotencyRecord?> ClaimAsync(string callerKeyId, string key, string requestHash, DateTime now, CancellationToken cancellationToken)
    {
        // A holder can disappear between our clash and our read (its request failed and was forgotten); then
        // the key is free again and we claim it on the next round. Three rounds make that race academic.
        for (var attempt = 1; ; attempt++)
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            await db.IdempotencyRecords.Where(r => r.CallerKeyId == callerKeyId && r.Key == key && r.ExpiresAt <= now)
                .ExecuteDeleteAsync(cancellationToken);

            db.IdempotencyRecords.Add(new IdempotencyRecord
            {
                CallerKeyId = callerKeyId,
                Key = key,
                RequestHash = requestHash,
                CreatedAt = now,
                ExpiresAt = now.AddHours(options.Value.IdempotencyWindowHours),
            });
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                return null;
            }
            catch (DbUpdateException) when (attempt < 3)
            {
                // The unique index on (caller, key) settled a race: someone else holds this key.
                await using var fresh = await dbFactory.CreateDbContextAsync(cancellationToken);
                var holder = await fresh.IdempotencyRecords.AsNoTracking()
                    .SingleOrDefaultAsync(r => r.CallerKeyId == callerKeyId && r.Key == key, cancellationToken);
                if (holder is not null)
                {
                    return holder;
                }
            }
        }
    }

    private async Task CompleteAsync(string callerKeyId, string key, string protectedResponse)
    {
        await using var db = await dbFactory.CreateDbContextAsync();
        await db.IdempotencyRecords.Where(r => r.CallerKeyId == callerKeyId && r.Key == key)
            .ExecuteUpdateAsync(set => set.SetProperty(r => r.Completed, true).SetProperty(r => r.ProtectedResponse, protectedResponse));
    }

    private async Task ForgetAsync(string callerKeyId, string key)
    {
        await using var db = await dbFactory.CreateDbContextAsync();
        await db.IdempotencyRecords.Where(r => r.CallerKeyId == callerKeyId && r.Key == key && !r.Completed).ExecuteDeleteAsync();
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
        return new StoredResponse(scratch.Response.StatusCode, scratch.Response.Headers.Location.ToString() is { Length: > 0 } l ? l : null, buffer.ToArray());
    }

    private string Protect(StoredResponse response) => protector.Protect(JsonSerializer.Serialize(response));

    private StoredResponse Unprotect(string protectedResponse) =>
        JsonSerializer.Deserialize<StoredResponse>(protector.Unprotect(protectedResponse))!;

    private sealed class Replay(StoredResponse response, bool replayed = true) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = response.Status;
            httpContext.Response.ContentType = "application/json; charset=utf-8";
            if (response.Location is not null)
            {
                httpContext.Response.Headers.Location = response.Location;
            }
            if (replayed)
            {
                httpContext.Response.Headers["Idempotent-Replayed"] = "true";
            }
            await httpContext.Response.Body.WriteAsync(response.Body);
        }
    }
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
