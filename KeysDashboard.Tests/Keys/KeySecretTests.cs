using KeysDashboard.Keys;

namespace KeysDashboard.Tests.Keys;

public sealed class KeySecretTests
{
    [Fact]
    public void A_new_secret_is_prefix_30_random_base62_and_a_6_character_checksum()
    {
        var secret = KeySecret.Generate("kd_");

        Assert.Matches("^kd_[0-9A-Za-z]{36}$", secret);
        Assert.Equal(KeySecret.Checksum(secret[..^6]), secret[^6..]);
        Assert.True(KeySecret.IsWellFormed(secret));
    }

    [Fact]
    public void Secrets_do_not_repeat()
    {
        var secrets = Enumerable.Range(0, 10_000).Select(_ => KeySecret.Generate("kd_")).ToHashSet();

        Assert.Equal(10_000, secrets.Count);
    }

    [Fact]
    public void Every_character_of_the_alphabet_turns_up_in_the_random_part()
    {
        // A biased or truncated generator (hex, say) would leave letters out.
        var seen = string.Concat(Enumerable.Range(0, 500).Select(_ => KeySecret.Generate("kd_")[3..^6])).ToHashSet();

        Assert.Equal(KeySecret.Alphabet.ToHashSet(), seen);
    }

    [Fact]
    public void Any_single_typo_is_caught_by_the_checksum()
    {
        var secret = KeySecret.Generate("kd_");

        for (var i = 0; i < secret.Length; i++)
        {
            var replacement = secret[i] == 'a' ? 'b' : 'a';
            var typo = secret[..i] + replacement + secret[(i + 1)..];
            Assert.False(KeySecret.IsWellFormed(typo), $"typo at {i} was accepted");
        }
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("kd_")]
    [InlineData("Bearer kd_abc")]
    [InlineData("kd_short")]
    public void Shapes_that_are_not_keys_are_refused(string? presented) =>
        Assert.False(KeySecret.IsWellFormed(presented));

    [Fact]
    public void Truncated_extended_and_non_ascii_secrets_are_refused()
    {
        var secret = KeySecret.Generate("kd_");

        Assert.False(KeySecret.IsWellFormed(secret[..^1]));
        Assert.False(KeySecret.IsWellFormed(secret + "0"));
        Assert.False(KeySecret.IsWellFormed(secret[..^7] + "é" + secret[^6..]));
        Assert.False(KeySecret.IsWellFormed(" " + secret));
    }

    [Fact]
    public void A_key_issued_under_an_older_prefix_is_still_well_formed()
    {
        var old = KeySecret.Generate("acme_live_");

        Assert.True(KeySecret.IsWellFormed(old));
        Assert.Equal("acme_live_", KeySecret.PrefixOf(old));
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("seventeen_chars__")]
    public void Bad_prefixes_are_refused(string prefix) =>
        Assert.Throws<ArgumentException>(() => KeySecret.Generate(prefix));

    [Fact]
    public void The_hash_is_lowercase_hex_sha256_and_the_mask_shows_prefix_and_last_four()
    {
        Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", KeySecret.Hash("abc"));
        var secret = KeySecret.Generate("kd_");
        Assert.Equal($"kd_...{secret[^4..]}", KeySecret.Mask(KeySecret.PrefixOf(secret), KeySecret.LastFour(secret)));
    }
}
