using KeysDashboard.Access;
using KeysDashboard.Audit;
using KeysDashboard.Data;
using KeysDashboard.Keys;
using Microsoft.EntityFrameworkCore;

namespace KeysDashboard.SecretScanning;

/// <summary>One secret GitHub found in public: the token, its type as enrolled, where it was found.</summary>
internal sealed record LeakedToken(string? Token, string? Type, string? Url, string? Source);

/// <summary>GitHub's answer format: the token's SHA-256 (never the token back), its type, and whether it is one of ours.</summary>
internal sealed record LeakLabel(string TokenHash, string TokenType, string Label)
{
    public const string TruePositive = "true_positive";
    public const string FalsePositive = "false_positive";
}

/// <summary>
/// Acts on a verified GitHub batch: finds each token's key by hash (an old secret in its grace period too), disables
/// every match in one pass, each with its own audit row naming the URL it leaked at, and labels every token. A
/// replayed batch changes nothing more but labels the same: a disabled key is still a true positive.
/// </summary>
internal sealed class GitHubLeakReport(
    KeyService keys, IDbContextFactory<ApplicationDbContext> dbFactory, AccessGuard guard, TimeProvider clock, ILogger<GitHubLeakReport> logger)
{
    public const int MaxUrlLength = 300;

    public static readonly Actor GitHubActor = Actor.System(
        "github-secret-scanning", "GitHub secret scanning", Permission.KeysLookupLeaked, Permission.KeysBulkDisable, Permission.KeysDisable);

    public async Task<IReadOnlyList<LeakLabel>> ReportAsync(IReadOnlyList<LeakedToken> tokens, Actor actor, CancellationToken cancellationToken = default)
    {
        await guard.Demand(actor, Permission.KeysLookupLeaked, cancellationToken: cancellationToken);
        var now = clock.GetUtcNow().UtcDateTime;
        // Only well-formed secrets can be ours; the rest are labelled false positives without a database query.
        var hashes = tokens
            .Select(t => KeySecret.IsWellFormed(t.Token) ? KeySecret.Hash(t.Token!) : null)
            .ToList();
        var wanted = hashes.OfType<string>().Distinct().ToList();

        List<ApiKey> matches = [];
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            foreach (var chunk in wanted.Chunk(500))
            {
                matches.AddRange(await db.ApiKeys.AsNoTracking()
                    .Where(k => chunk.Contains(k.KeyHash) || (k.PreviousKeyHash != null && chunk.Contains(k.PreviousKeyHash) && k.PreviousKeyExpiresAt > now))
                    .ToListAsync(cancellationToken));
            }
        }
        var keyByHash = new Dictionary<string, ApiKey>(StringComparer.Ordinal);
        foreach (var key in matches)
        {
            keyByHash.TryAdd(key.KeyHash, key);
            if (key.PreviousKeyHash is { } previous && key.PreviousKeyExpiresAt > now)
            {
                keyByHash.TryAdd(previous, key);
            }
        }

        // One reason per key: the first URL it was reported at in this batch.
        var reasons = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < tokens.Count; i++)
        {
            if (hashes[i] is { } hash && keyByHash.TryGetValue(hash, out var key))
            {
                reasons.TryAdd(key.Id, $"Leaked publicly (GitHub secret scanning): {SafeUrl(tokens[i].Url)}");
            }
        }

        if (reasons.Count > 0)
        {
            var result = await keys.DisableManyAsync(reasons, actor, cancellationToken);
            var disabled = result.Changed.Select(k => k.Id).ToHashSet(StringComparer.Ordinal);
            // A key that was already off gets no disable row; the report of where it leaked is still kept.
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            foreach (var key in matches.Where(k => reasons.ContainsKey(k.Id) && !disabled.Contains(k.Id)).DistinctBy(k => k.Id))
            {
                db.AuditEntries.Add(AuditEntry.For(actor, AuditActions.KeyLookedUp, now, key: key, reason: reasons[key.Id],
                    details: new { outcome = "found", source = "github", already_disabled = true }));
            }
            await db.SaveChangesAsync(CancellationToken.None);
            logger.LogWarning("GitHub secret scanning reported {Count} tokens: {Matched} keys matched, {Disabled} disabled now",
                tokens.Count, reasons.Count, disabled.Count);
        }
        else
        {
            logger.LogInformation("GitHub secret scanning reported {Count} tokens, none of them ours", tokens.Count);
        }

        return [.. tokens.Select((t, i) => new LeakLabel(
            KeySecret.Hash(t.Token ?? ""),
            Trim(t.Type, 100),
            hashes[i] is { } hash && keyByHash.ContainsKey(hash) ? LeakLabel.TruePositive : LeakLabel.FalsePositive))];
    }

    /// <summary>
    /// The URL as it goes into the audit reason: only an absolute http(s) URL, without user info, control
    /// characters or anything past <see cref="MaxUrlLength"/> characters; anything else is "(no URL given)".
    /// </summary>
    public static string SafeUrl(string? url)
    {
        if (string.IsNullOrWhiteSpace(url)
            || !Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri)
            || uri.Scheme is not ("https" or "http"))
        {
            return "(no URL given)";
        }
        var builder = new UriBuilder(uri) { UserName = "", Password = "" };
        var text = new string([.. builder.Uri.AbsoluteUri.Where(c => !char.IsControl(c))]);
        return text.Length <= MaxUrlLength ? text : text[..MaxUrlLength] + "…";
    }

    private static string Trim(string? text, int max)
    {
        var clean = new string([.. (text ?? "").Where(c => !char.IsControl(c))]);
        return clean.Length <= max ? clean : clean[..max];
    }
}
