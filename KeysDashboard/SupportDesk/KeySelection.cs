using System.Net;
using KeysDashboard.Access;
using KeysDashboard.Data;
using KeysDashboard.Keys;
using Microsoft.EntityFrameworkCore;

namespace KeysDashboard.SupportDesk;

/// <summary>Keys described rather than picked: created by someone, last used from an address range, unused for a while. Empty parts are ignored.</summary>
/// <param name="CreatedBy">Part of the creator's name: a person's email, or for keys made by a key, that key's name.</param>
/// <param name="UsedFrom">An IP address or CIDR network the key was last used from.</param>
/// <param name="UnusedForDays">Not used (and, if never used, not created) in this many days.</param>
internal sealed record KeyDescription(string? CreatedBy, string? UsedFrom, int? UnusedForDays)
{
    public bool IsEmpty => string.IsNullOrWhiteSpace(CreatedBy) && string.IsNullOrWhiteSpace(UsedFrom) && UnusedForDays is null;
}

/// <summary>
/// Finds the keys a <see cref="KeyDescription"/> describes, for a bulk disable or delete. The creator and time
/// filters run in the database; the address range is matched in memory (an allowlist-style CIDR test SQLite
/// cannot do) over at most <see cref="MaxCandidates"/> keys that were used at all and pass the other filters.
/// A description that would need more is refused with a message asking to narrow it, never silently cut short.
/// </summary>
internal sealed class KeySelection(IDbContextFactory<ApplicationDbContext> dbFactory, TimeProvider clock, AccessGuard guard)
{
    public const int MaxCandidates = 10_000;
    public const int MaxCreatedByLength = 256;

    public async Task<IReadOnlyList<ApiKey>> DescribeAsync(KeyDescription description, Actor actor, CancellationToken cancellationToken = default)
    {
        await guard.Demand(actor, Permission.KeysView, cancellationToken: cancellationToken);
        var errors = new Dictionary<string, string[]>();
        if (description.IsEmpty)
        {
            errors["description"] = ["Describe the keys: who created them, where they were used from, or how long they have been unused."];
        }
        var createdBy = description.CreatedBy?.Trim();
        if (createdBy is { Length: > MaxCreatedByLength })
        {
            errors["created_by"] = [$"Created by must be at most {MaxCreatedByLength} characters."];
        }
        string? network = null;
        if (!string.IsNullOrWhiteSpace(description.UsedFrom))
        {
            if (IpAllowlist.TryNormalize(description.UsedFrom, out var normalized, out var error))
            {
                network = normalized;
            }
            else
            {
                errors["used_from"] = [error!];
            }
        }
        if (description.UnusedForDays is < 0 or > KeySearch.MaxDays)
        {
            errors["unused_for_days"] = [$"Unused for must be from 0 to {KeySearch.MaxDays} days."];
        }
        if (errors.Count > 0)
        {
            throw new KeyValidationException(errors);
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var query = db.ApiKeys.AsNoTracking();
        if (!string.IsNullOrEmpty(createdBy))
        {
            // LIKE is case-insensitive for ASCII in SQLite; the wildcards a person typed are taken literally.
            var pattern = "%" + createdBy.Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_") + "%";
            query = query.Where(k => EF.Functions.Like(k.CreatedByName, pattern, "\\"));
        }
        if (description.UnusedForDays is { } days)
        {
            var cutoff = clock.GetUtcNow().UtcDateTime.AddDays(-days);
            query = query.Where(k => (k.LastUsedAt ?? k.CreatedAt) < cutoff);
        }
        if (network is null)
        {
            var count = await query.CountAsync(cancellationToken);
            if (count > MaxCandidates)
            {
                throw TooMany(count);
            }
            return await query.OrderBy(k => k.Name).ThenBy(k => k.Id).ToListAsync(cancellationToken);
        }

        var candidates = await query.Where(k => k.LastUsedIp != null).OrderBy(k => k.Name).ThenBy(k => k.Id)
            .Take(MaxCandidates + 1).ToListAsync(cancellationToken);
        if (candidates.Count > MaxCandidates)
        {
            throw TooMany(null);
        }
        string[] range = [network];
        return [.. candidates.Where(k => IPAddress.TryParse(k.LastUsedIp, out var address) && IpAllowlist.Allows(range, address))];
    }

    private static KeyValidationException TooMany(int? count) => new(new Dictionary<string, string[]>
    {
        ["description"] = [$"More than {MaxCandidates:N0} keys{(count is { } c ? $" ({c:N0})" : "")} fit this description; narrow it down."],
    });
}
