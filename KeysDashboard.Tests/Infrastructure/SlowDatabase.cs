using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace KeysDashboard.Tests.Infrastructure;

/// <summary>
/// Makes every database command take a while, so that a second click can arrive while the first one's work is
/// still in flight, as it does over a real network. Microsoft.Data.Sqlite otherwise completes "async" calls
/// synchronously, and a test of a double click would only ever see two clicks one after the other.
/// </summary>
internal sealed class SlowDatabase : DbCommandInterceptor
{
    public TimeSpan Delay { get; set; }

    public override async ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(
        DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        await Task.Delay(Delay, cancellationToken);
        return result;
    }

    public override async ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(
        DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        await Task.Delay(Delay, cancellationToken);
        return result;
    }
}
