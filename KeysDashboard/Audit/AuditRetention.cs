using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using KeysDashboard.Access;
using KeysDashboard.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace KeysDashboard.Audit;

/// <summary>The <c>Audit</c> settings.</summary>
internal sealed class AuditOptions
{
    public const string Section = "Audit";

    /// <summary>Rows older than this many days are trimmed; 0 keeps every row forever.</summary>
    [Range(0, 36500)]
    public int RetentionDays { get; set; }
}

/// <summary>
/// Trims audit rows older than <see cref="AuditOptions.RetentionDays"/>: the only deletion of audit rows anywhere.
/// Only a sealed prefix of the chain goes (rows 1..N, never a hole in the middle), and before it goes an
/// <c>audit.trimmed</c> row is written and sealed with the count and the last trimmed row's seq and hash, so
/// verification can tell a recorded trim from a deleted start.
/// </summary>
internal sealed class AuditRetention(IDbContextFactory<ApplicationDbContext> dbFactory, AuditChain chain, TimeProvider clock,
    IOptionsMonitor<AuditOptions> options, ILogger<AuditRetention> logger)
{
    public static readonly Actor Retention = Actor.System("audit-retention", "audit retention");

    /// <summary>Trims what the retention setting says is too old. Returns how many rows it removed.</summary>
    public Task<int> TrimAsync(CancellationToken cancellationToken = default) =>
        options.CurrentValue.RetentionDays is > 0 and var days
            ? TrimOlderThanAsync(clock.GetUtcNow().UtcDateTime.AddDays(-days), cancellationToken)
            : Task.FromResult(0);

    /// <summary>Trims the sealed rows written before <paramref name="cutoff"/>, up to the first one that was not.</summary>
    public async Task<int> TrimOlderThanAsync(DateTime cutoff, CancellationToken cancellationToken = default)
    {
        // Everything written so far is chained first: only sealed rows can be accounted for.
        await chain.SealAsync(cancellationToken);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var sealedRows = db.AuditEntries.AsNoTracking().Where(e => e.Seq != null);
        // Times are not strictly in seq order (a row's time is taken before its commit), so the trimmed part ends
        // before the first row, in seq order, that is young enough to keep.
        var firstKept = await sealedRows.Where(e => e.At >= cutoff).MinAsync(e => e.Seq, cancellationToken);
        var last = await sealedRows.Where(e => firstKept == null || e.Seq < firstKept).OrderByDescending(e => e.Seq)
            .Select(e => new { e.Seq, e.Hash }).FirstOrDefaultAsync(cancellationToken);
        if (last is null)
        {
            return 0;
        }
        var count = await sealedRows.CountAsync(e => e.Seq <= last.Seq, cancellationToken);

        db.AuditEntries.Add(AuditEntry.For(Retention, AuditActions.AuditTrimmed, clock.GetUtcNow().UtcDateTime,
            reason: $"Retention: rows written before {cutoff:yyyy-MM-ddTHH:mm:ssZ}",
            details: new
            {
                count,
                last_seq = last.Seq,
                last_hash = last.Hash,
                older_than = cutoff,
                retention_days = options.CurrentValue.RetentionDays,
            }));
        await db.SaveChangesAsync(cancellationToken);
        // The record is in the chain before a single row goes.
        await chain.SealAsync(cancellationToken);

        var deleted = await db.AuditEntries.Where(e => e.Seq != null && e.Seq <= last.Seq).ExecuteDeleteAsync(cancellationToken);
        logger.LogInformation("Audit retention trimmed {Count} rows up to seq {Seq}", deleted, last.Seq);
        return deleted;
    }

    /// <summary>The last trimmed row an <c>audit.trimmed</c> row's details record, or null if they do not parse.</summary>
    public static (long LastSeq, string LastHash)? ReadTrim(string? details)
    {
        try
        {
            using var json = JsonDocument.Parse(details ?? "");
            var root = json.RootElement;
            return root.ValueKind == JsonValueKind.Object
                && root.TryGetProperty("last_seq", out var seq) && seq.ValueKind == JsonValueKind.Number
                && root.TryGetProperty("last_hash", out var hash) && hash.ValueKind == JsonValueKind.String
                ? (seq.GetInt64(), hash.GetString()!)
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>Runs <see cref="AuditRetention"/> shortly after start and then every hour.</summary>
internal sealed class AuditRetentionService(AuditRetention retention, ILogger<AuditRetentionService> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromHours(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        try
        {
            do
            {
                try
                {
                    await retention.TrimAsync(stoppingToken);
                }
                catch (Exception failure) when (failure is not OperationCanceledException)
                {
                    logger.LogWarning(failure, "Trimming the audit log failed; trying again in an hour");
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
