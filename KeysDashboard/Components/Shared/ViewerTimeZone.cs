using Microsoft.JSInterop;

namespace KeysDashboard.Components.Shared;

/// <summary>
/// The time zone of the browser on the other end of this circuit, asked for once and kept for the circuit's life,
/// so that every time on a page is shown in the viewer's local time.
/// </summary>
internal sealed class ViewerTimeZone(IJSRuntime js)
{
    private Task<TimeZoneInfo?>? asking;

    /// <summary>The viewer's zone once the browser has told us; null before, or when it named a zone we do not know.</summary>
    public TimeZoneInfo? Known { get; private set; }

    public Task<TimeZoneInfo?> GetAsync() => asking ??= AskAsync();

    private async Task<TimeZoneInfo?> AskAsync()
    {
        try
        {
            var id = await js.InvokeAsync<string?>("keysDashboard.timeZone");
            if (!string.IsNullOrEmpty(id) && TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone))
            {
                Known = zone;
            }
        }
        catch (Exception e) when (e is JSException or JSDisconnectedException or TaskCanceledException)
        {
            // The page keeps showing UTC, labelled as such; nothing is wrong that the viewer could fix.
        }
        return Known;
    }
}
