using Bunit;
using KeysDashboard.Components.Shared;
using Microsoft.Extensions.DependencyInjection;

namespace KeysDashboard.Tests.Components.Shared;

/// <summary>Stored UTC times shown in the viewer's own zone, with UTC a hover away.</summary>
public sealed class LocalTimeTests : BunitContext
{
    private static readonly DateTime Summer = new(2026, 7, 1, 14, 5, 0, DateTimeKind.Utc);
    private static readonly DateTime Winter = new(2026, 11, 23, 14, 5, 0, DateTimeKind.Utc);

    public LocalTimeTests() => Services.AddScoped<ViewerTimeZone>();

    [Fact]
    public void Until_the_browser_names_its_zone_the_time_is_utc_and_says_so()
    {
        // No answer yet (a prerender, or a browser that has not replied): nothing may pass UTC off as local.
        JSInterop.Setup<string?>("keysDashboard.timeZone");

        var time = Render<LocalTime>(p => p.Add(t => t.Value, Winter));

        time.MarkupMatches("""<time datetime="2026-11-23T14:05:00Z" title="2026-11-23 14:05 UTC">2026-11-23 14:05 UTC</time>""");
    }

    [Fact]
    public void In_the_viewers_zone_with_its_daylight_saving_and_utc_in_the_title()
    {
        var zone = JSInterop.Setup<string?>("keysDashboard.timeZone").SetResult("America/New_York");

        var summer = Render<LocalTime>(p => p.Add(t => t.Value, Summer));
        var winter = Render<LocalTime>(p => p.Add(t => t.Value, Winter));

        summer.WaitForAssertion(() => summer.MarkupMatches("""<time datetime="2026-07-01T14:05:00Z" title="2026-07-01 14:05 UTC">2026-07-01 10:05</time>"""));
        winter.WaitForAssertion(() => winter.MarkupMatches("""<time datetime="2026-11-23T14:05:00Z" title="2026-11-23 14:05 UTC">2026-11-23 09:05</time>"""));
        Assert.Single(zone.Invocations);
    }

    [Fact]
    public void A_zone_the_server_does_not_know_leaves_the_time_in_utc()
    {
        JSInterop.Setup<string?>("keysDashboard.timeZone").SetResult("Mars/Olympus_Mons");

        var time = Render<LocalTime>(p => p.Add(t => t.Value, Winter));

        time.WaitForAssertion(() => Assert.Equal("2026-11-23 14:05 UTC", time.Find("time").TextContent));
    }
}
