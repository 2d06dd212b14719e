using KeysDashboard.Keys;

namespace KeysDashboard.Tests.Keys;

public sealed class KeyRulesTests
{
    private static readonly DateTime Now = new(2026, 11, 22, 12, 0, 0, DateTimeKind.Utc);

    [Theory]
    [InlineData("", "Name is required.")]
    [InlineData("   ", "Name is required.")]
    [InlineData(null, "Name is required.")]
    [InlineData("x", null)]
    public void Names_are_required(string? name, string? error) => Assert.Equal(error, KeyRules.CheckName(name));

    [Fact]
    public void Names_are_at_most_50_characters()
    {
        Assert.Null(KeyRules.CheckName(new string('x', 50)));
        Assert.Equal("Name must be at most 50 characters.", KeyRules.CheckName(new string('x', 51)));
    }

    [Theory]
    [InlineData("a\0b", "U+0000")]
    [InlineData("ring\abell", "U+0007")]
    [InlineData("\u001b[31mred", "U+001B")]
    [InlineData("invoice\u202Etxt.exe", "U+202E")]
    [InlineData("a\u2066b", "U+2066")]
    [InlineData("zero\u200Bwidth", "U+200B")]
    [InlineData("two\u2028lines", "U+2028")]
    [InlineData("a\tb", "U+0009")]
    public void Names_refuse_control_and_invisible_formatting_characters(string name, string shown) =>
        Assert.Equal($"Name must not contain control or invisible formatting characters (found {shown}).", KeyRules.CheckName(name));

    [Fact]
    public void Names_refuse_lone_surrogates()
    {
        // Built at run time: an attribute argument would store the lone surrogate as U+FFFD.
        var name = "lone " + (char)0xD800 + " surrogate";
        Assert.Equal("Name must not contain control or invisible formatting characters (found U+D800).", KeyRules.CheckName(name));
    }

    [Theory]
    [InlineData("Café ☕ 日本")]
    [InlineData("👩‍💻 dev")]
    [InlineData("میخواهم")]
    [InlineData("עברית prod")]
    public void Names_keep_every_visible_script_and_emoji(string name) => Assert.Null(KeyRules.CheckName(name));

    [Fact]
    public void Expiry_must_be_in_the_future()
    {
        Assert.Null(KeyRules.CheckExpiry(null, Now));
        Assert.Null(KeyRules.CheckExpiry(Now.AddSeconds(1), Now));
        Assert.NotNull(KeyRules.CheckExpiry(Now, Now));
    }

    [Fact]
    public void Grace_periods_run_from_zero_to_a_day()
    {
        Assert.Null(KeyRules.CheckGracePeriod(TimeSpan.Zero));
        Assert.Null(KeyRules.CheckGracePeriod(TimeSpan.FromHours(24)));
        Assert.NotNull(KeyRules.CheckGracePeriod(TimeSpan.FromHours(24) + TimeSpan.FromSeconds(1)));
        Assert.NotNull(KeyRules.CheckGracePeriod(TimeSpan.FromSeconds(-1)));
    }

    [Fact]
    public void A_key_is_expired_from_its_expiry_instant_and_disabled_wins_over_expired()
    {
        var key = new ApiKey
        {
            Name = "k", KeyHash = "h", Prefix = "kd_", LastFour = "abcd",
            CreatedBy = "u", CreatedByName = "u", UpdatedBy = "u", UpdatedByName = "u",
            ExpiresAt = Now,
        };

        Assert.Equal(KeyStatus.Enabled, key.StatusAt(Now.AddTicks(-1)));
        Assert.Equal(KeyStatus.Expired, key.StatusAt(Now));
        key.Enabled = false;
        Assert.Equal(KeyStatus.Disabled, key.StatusAt(Now));
    }

    [Fact]
    public void A_grace_period_is_active_strictly_before_its_end()
    {
        var key = new ApiKey
        {
            Name = "k", KeyHash = "h", Prefix = "kd_", LastFour = "abcd",
            CreatedBy = "u", CreatedByName = "u", UpdatedBy = "u", UpdatedByName = "u",
            PreviousKeyHash = "old", PreviousKeyExpiresAt = Now,
        };

        Assert.True(key.GracePeriodActiveAt(Now.AddTicks(-1)));
        Assert.False(key.GracePeriodActiveAt(Now));
    }
}
