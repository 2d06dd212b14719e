using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;

namespace KeysDashboard.SecretScanning;

/// <summary>
/// The public keys GitHub signs secret scanning alerts with, fetched from <see cref="GitHubSecretScanningOptions.PublicKeysUrl"/>
/// and cached. An identifier not in the cached set triggers one refetch (GitHub rotates keys), at most once per
/// <see cref="UnknownIdentifierRefetchInterval"/>, so a stream of forged identifiers cannot make us hammer GitHub.
/// </summary>
internal sealed class GitHubPublicKeys(
    IHttpClientFactory httpClients, IOptionsMonitor<GitHubSecretScanningOptions> options, TimeProvider clock, ILogger<GitHubPublicKeys> logger)
{
    public const string HttpClientName = "github-secret-scanning";

    /// <summary>The document is a few KB; anything much larger is not GitHub's.</summary>
    private const int MaxDocumentBytes = 256 * 1024;

    public static readonly TimeSpan UnknownIdentifierRefetchInterval = TimeSpan.FromMinutes(1);

    private readonly SemaphoreSlim fetching = new(1, 1);
    private IReadOnlyDictionary<string, string>? keys;
    private DateTimeOffset fetchedAt = DateTimeOffset.MinValue;
    private DateTimeOffset unknownRefetchedAt = DateTimeOffset.MinValue;

    /// <summary>The PEM of the key with this identifier, or null when GitHub does not (or no longer) publish it.</summary>
    public async Task<string?> FindAsync(string identifier, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var cached = keys;
        var fresh = cached is not null && now - fetchedAt < TimeSpan.FromMinutes(options.CurrentValue.CacheMinutes);
        if (fresh && cached!.TryGetValue(identifier, out var pem))
        {
            return pem;
        }
        if (fresh && now - unknownRefetchedAt < UnknownIdentifierRefetchInterval)
        {
            return null;
        }

        await fetching.WaitAsync(cancellationToken);
        try
        {
            // Another request may have fetched while this one waited.
            now = clock.GetUtcNow();
            var stillFresh = keys is not null && now - fetchedAt < TimeSpan.FromMinutes(options.CurrentValue.CacheMinutes);
            if (stillFresh && keys!.TryGetValue(identifier, out var found))
            {
                return found;
            }
            if (stillFresh)
            {
                if (now - unknownRefetchedAt < UnknownIdentifierRefetchInterval)
                {
                    return null;
                }
                unknownRefetchedAt = now;
            }
            var fetched = await FetchAsync(cancellationToken);
            if (fetched is not null)
            {
                keys = fetched;
                fetchedAt = clock.GetUtcNow();
            }
            return (fetched ?? keys)?.GetValueOrDefault(identifier);
        }
        finally
        {
            fetching.Release();
        }
    }

    private async Task<IReadOnlyDictionary<string, string>?> FetchAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var client = httpClients.CreateClient(HttpClientName);
            using var response = await client.GetAsync(options.CurrentValue.PublicKeysUrl, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                logger.LogWarning("GitHub's secret scanning public keys could not be fetched: HTTP {Status}", (int)response.StatusCode);
                return null;
            }
            await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
            var buffer = new byte[MaxDocumentBytes + 1];
            var length = 0;
            int read;
            while (length < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken)) > 0)
            {
                length += read;
            }
            if (length > MaxDocumentBytes)
            {
                logger.LogWarning("GitHub's secret scanning public key document is larger than {Max} bytes; ignored", MaxDocumentBytes);
                return null;
            }
            var document = JsonSerializer.Deserialize<PublicKeyDocument>(buffer.AsSpan(0, length));
            return (document?.PublicKeys ?? [])
                .Where(k => !string.IsNullOrEmpty(k.KeyIdentifier) && !string.IsNullOrEmpty(k.Key))
                .DistinctBy(k => k.KeyIdentifier)
                .ToDictionary(k => k.KeyIdentifier!, k => k.Key!, StringComparer.Ordinal);
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning("GitHub's secret scanning public keys could not be fetched: {Error}", e.GetType().Name);
            return null;
        }
    }

    /// <summary>True when <paramref name="signatureBase64"/> is a DER ECDSA P-256 SHA-256 signature of <paramref name="body"/> by <paramref name="pem"/>.</summary>
    public static bool Verifies(string pem, string signatureBase64, ReadOnlySpan<byte> body)
    {
        try
        {
            var signature = Convert.FromBase64String(signatureBase64);
            using var key = ECDsa.Create();
            key.ImportFromPem(pem);
            return key.KeySize == 256
                && key.VerifyData(body, signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        }
        catch (Exception e) when (e is FormatException or CryptographicException or ArgumentException)
        {
            return false;
        }
    }

    private sealed record PublicKeyDocument([property: JsonPropertyName("public_keys")] List<PublicKeyEntry>? PublicKeys);

    private sealed record PublicKeyEntry(
        [property: JsonPropertyName("key_identifier")] string? KeyIdentifier,
        [property: JsonPropertyName("key")] string? Key,
        [property: JsonPropertyName("is_current")] bool IsCurrent);
}
