using KeysDashboard.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace KeysDashboard.Tests.Hosting;

/// <summary>A bad setting stops the app at start with a message naming it, instead of meaning something odd later.</summary>
public sealed class OptionsValidationTests
{
    [Theory]
    [InlineData("Api:FailedAuthenticationsPerMinute", "-1")]
    [InlineData("Api:RequestsPerKeyPerMinute", "-5")]
    [InlineData("Api:VerificationsPerKeyPerMinute", "-1")]
    [InlineData("Api:IdempotencyWindowHours", "0")]
    [InlineData("Api:LastUsedFlushSeconds", "0")]
    [InlineData("Keys:DashboardRefreshSeconds", "-1")]
    [InlineData("Keys:Prefix", "kd $")]
    public async Task A_bad_setting_stops_the_start_naming_the_setting(string setting, string value)
    {
        await using var app = new AppFactory(new Dictionary<string, string?> { [setting] = value });

        var failure = Assert.Throws<OptionsValidationException>(() => app.Services);

        Assert.Contains(setting, failure.Message);
    }

    [Theory]
    [InlineData("Api:FailedAuthenticationsPerMinute")]
    [InlineData("Api:RequestsPerKeyPerMinute")]
    [InlineData("Api:VerificationsPerKeyPerMinute")]
    [InlineData("Keys:DashboardRefreshSeconds")]
    public async Task Zero_is_a_valid_setting_meaning_off(string setting)
    {
        await using var app = new AppFactory(new Dictionary<string, string?> { [setting] = "0" });

        Assert.NotNull(app.Services);
    }
}
