using System.Security.Cryptography;
using System.Text;
using KeysDashboard.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace KeysDashboard.Audit;

/// <summary>
/// Chains audit rows right after they are committed: in the order they were written (their ids), each unsealed
/// row gets the next <see cref="AuditEntry.Seq"/>, the previous row's hash and its own (<see cref="AuditHash"/>).
/// Sealing after the commit, rather than inside every write, keeps the writers free of a global lock: a key
/// write never waits for another's audit row. One seal runs at a time: in this process by a gate, and between
/// processes (the command line beside the app) by its transaction, which on SQLite is BEGIN IMMEDIATE.
/// </summary>
internal sealed class AuditChain(IDbContextFactory<ApplicationDbContext> dbFactory, ILogger<AuditChain> logger) : IDisposable
{
    private const int BatchSize = 500;
    private readonly SemaphoreSlim gate = new(1, 1);

    /// <summary>Seals every row written so far. Returns how many it sealed.</summary>
    public async Task<int> SealAsync(CancellationToken cancellationToken = default)
    {
        await gate.WaitAsync(cancellationToken);
        try
        {
            var sealedCount = 0;
            while (true)
            {
                await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
                await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
                var rows = await db.AuditEntries.Where(e => e.Seq == null).OrderBy(e => e.Id).Take(BatchSize).ToListAsync(cancellationToken);
                if (rows.Count == 0)
                {
                    return sealedCount;
                }
                var head = await db.AuditEntries.AsNoTracking().Where(e => e.Seq != null).OrderByDescending(e => e.Seq)
                    .Select(e => new { e.Seq, e.Hash }).FirstOrDefaultAsync(cancellationToken);
                var seq = head?.Seq ?? 0;
                var previous = head?.Hash ?? AuditHash.Genesis;
                foreach (var row in rows)
                {
                    row.Seq = ++seq;
                    row.PreviousHash = previous;
                    row.Hash = AuditHash.Compute(row);
                    previous = row.Hash;
                }
                await db.SaveChangesAsync(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                sealedCount += rows.Count;
                logger.LogDebug("Sealed {Count} audit rows up to seq {Seq}", rows.Count, seq);
            }
        }
        finally
        {
            gate.Release();
        }
    }

    public void Dispose() => gate.Dispose();
}

/// <summary>
/// "Audit rows were written": raised by <see cref="AuditChainSignal"/>, awaited by <see cref="AuditSealer"/>. Its own
/// service, because the database's options (which hold the interceptor) cannot depend on the chain, which needs
/// the database.
/// </summary>
internal sealed class AuditWritten : IDisposable
{
    private readonly SemaphoreSlim pending = new(0, 1);

    public void Raise()
    {
        try
        {
            pending.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already raised; one seal takes every row written so far.
        }
    }

    /// <summary>Waits for the next signal, or at most <paramref name="timeout"/>.</summary>
    public Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => pending.WaitAsync(timeout, cancellationToken);

    public void Dispose() => pending.Dispose();
}

/// <summary>Tells the sealer when a save committed audit rows.</summary>
internal sealed class AuditChainSignal(AuditWritten written) : SaveChangesInterceptor
{
    public override ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        Notify(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public override int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        Notify(eventData.Context);
        return result;
    }

    private void Notify(DbContext? context)
    {
        // After SaveChanges, added rows are Unchanged with their ids; any still unsealed means there is work.
        if (context?.ChangeTracker.Entries<AuditEntry>().Any(e => e.Entity.Seq == null) == true)
        {
            written.Raise();
        }
    }
}

/// <summary>Seals audit rows soon after they are written, and at least every few seconds (rows from other processes).</summary>
internal sealed class AuditSealer(AuditChain chain, AuditWritten written, ILogger<AuditSealer> logger) : BackgroundService
{
    private static readonly TimeSpan Sweep = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await chain.SealAsync(stoppingToken);
                await written.WaitAsync(Sweep, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception failure)
            {
                // A locked database or a lost race with another process: the next round picks the rows up.
                logger.LogWarning(failure, "Sealing audit rows failed; retrying shortly");
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }
}

/// <summary>The hash of an audit row: SHA-256 over every field and the previous row's hash, each length-prefixed.</summary>
internal static class AuditHash
{
    public static readonly string Genesis = new('0', 64);

    public static string Compute(AuditEntry row)
    {
        var text = new StringBuilder();
        void Add(string? value) => text.Append(value is null ? "-1" : value.Length.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .Append(':').Append(value).Append('|');

        Add(row.Seq?.ToString(System.Globalization.CultureInfo.InvariantCulture));
        // Microseconds: what every database this app supports keeps of a timestamp.
        Add(new DateTime(row.At.Ticks - row.At.Ticks % 10, DateTimeKind.Utc).ToString("yyyy-MM-ddTHH:mm:ss.ffffffZ", System.Globalization.CultureInfo.InvariantCulture));
        Add(row.ActorKind);
        Add(row.ActorId);
        Add(row.ActorName);
        Add(row.Action);
        Add(row.Outcome);
        Add(row.KeyId);
        Add(row.KeyName);
        Add(row.TargetId);
        Add(row.TargetName);
        Add(row.ClientIp);
        Add(row.RequestId);
        Add(row.Reason);
        Add(row.Details);
        Add(row.PreviousHash);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }
}
