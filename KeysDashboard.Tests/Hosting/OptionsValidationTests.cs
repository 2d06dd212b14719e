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
    [InlineData("SignIn:AttemptsPerAddressPerMinute", "-1")]
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
    [InlineData("SignIn:AttemptsPerAddressPerMinute")]
    public async Task Zero_is_a_valid_setting_meaning_off(string setting)
    {
        await using var app = new AppFactory(new Dictionary<string, string?> { [setting] = "0" });

        Assert.NotNull(app.Services);
    }

    [Theory]
    [InlineData("ForwardedHeaders:KnownProxies:0", "010.0.0.1")]
    [InlineData("ForwardedHeaders:KnownIPNetworks:0", "10.0.0.1/8")]
    public async Task A_proxy_address_in_a_legacy_or_ambiguous_spelling_stops_the_start(string setting, string value)
    {
        await using var app = new AppFactory(new Dictionary<string, string?> { [setting] = value });

        var failure = Assert.ThrowsAny<Exception>(() => app.CreateClient());

        Assert.Contains(setting[..setting.LastIndexOf(':')], failure.ToString());
    }
}
