using KeysDashboard.Keys;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace KeysDashboard.Tests.Infrastructure;

/// <summary>
/// Holds the next save that adds or changes a key until the test releases it, so that a test can send a second
/// request while the first one is provably still in flight, without guessing at timings. It waits before
/// SaveChanges opens a transaction, so the held request keeps no database lock.
/// </summary>
internal sealed class KeyWriteGate : SaveChangesInterceptor
{
    private readonly TaskCompletionSource reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource released = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int armed;

    /// <summary>Completes when a key write has arrived at the gate and is waiting.</summary>
    public Task Reached => reached.Task;

    /// <summary>Holds the next key write (one only).</summary>
    public void Close() => Volatile.Write(ref armed, 1);

    public void Open() => released.TrySetResult();

    public override async ValueTask<InterceptionResult<int>> SavingChangesAsync(
        DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        var writesKey = eventData.Context?.ChangeTracker.Entries<ApiKey>()
            .Any(e => e.State is EntityState.Added or EntityState.Modified) == true;
        if (writesKey && Interlocked.Exchange(ref armed, 0) == 1)
        {
            reached.TrySetResult();
            await released.Task.WaitAsync(cancellationToken);
        }
        return result;
    }
}
