using System.Text.Json;
using KeysDashboard.Access;
using Microsoft.Extensions.Options;

namespace KeysDashboard.SecretScanning;

/// <summary>
/// <c>POST /api/v2/secret-scanning/github</c>: no API key, GitHub's ECDSA signature over the raw body instead.
/// The signature is checked before anything is parsed or looked up, so a forged call has no effect at all.
/// Tokens are never logged.
/// </summary>
internal static class GitHubSecretScanningEndpoint
{
    public const string Path = "/api/v2/secret-scanning/github";

    /// <summary>GitHub sends batches of a few KB; a body past this is refused unread (413).</summary>
    public const int MaxBodyBytes = 1024 * 1024;

    public const string IdentifierHeader = "Github-Public-Key-Identifier";
    public const string SignatureHeader = "Github-Public-Key-Signature";

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static async Task<IResult> HandleAsync(
        HttpContext context, IOptionsMonitor<GitHubSecretScanningOptions> options, GitHubPublicKeys publicKeys, GitHubLeakReport report,
        ILogger<GitHubLeakReport> logger)
    {
        if (!options.CurrentValue.Enabled)
        {
            return Results.NotFound();
        }
        var cancellationToken = context.RequestAborted;
        if (context.Request.ContentLength > MaxBodyBytes)
        {
            return Results.StatusCode(StatusCodes.Status413PayloadTooLarge);
        }
        var body = await ReadBodyAsync(context.Request.Body, cancellationToken);
        if (body is null)
        {
            return Results.StatusCode(StatusCodes.Status413PayloadTooLarge);
        }

        var identifier = context.Request.Headers[IdentifierHeader].ToString();
        var signature = context.Request.Headers[SignatureHeader].ToString();
        if (identifier.Length is 0 or > 200 || signature.Length is 0 or > 400
            || await publicKeys.FindAsync(identifier, cancellationToken) is not { } pem
            || !GitHubPublicKeys.Verifies(pem, signature, body))
        {
            logger.LogWarning("Secret scanning alert refused: missing, unknown or bad GitHub signature");
            return Results.StatusCode(StatusCodes.Status401Unauthorized);
        }

        List<LeakedToken>? tokens;
        try
        {
            tokens = JsonSerializer.Deserialize<List<LeakedToken>>(body, Json);
        }
        catch (JsonException)
        {
            tokens = null;
        }
        if (tokens is null || tokens.Any(t => t is null))
        {
            return Api.ApiResults.Error(context, StatusCodes.Status400BadRequest,
                new Api.ApiError("bad_request", "The body must be a JSON array of {token, type, url, source}."));
        }

        var actor = GitHubLeakReport.GitHubActor with { RequestId = context.TraceIdentifier };
        var labels = await report.ReportAsync(tokens, actor, cancellationToken);
        return Results.Json(labels, Json);
    }

    /// <summary>The whole body, or null when it is longer than <see cref="MaxBodyBytes"/> (a chunked body has no Content-Length).</summary>
    private static async Task<byte[]?> ReadBodyAsync(Stream body, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes)
            {
                return null;
            }
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }
}
