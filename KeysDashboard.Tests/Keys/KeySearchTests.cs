using KeysDashboard.Keys;

namespace KeysDashboard.Tests.Keys;

/// <summary>What the search box makes of what people paste: the key, without what was around it.</summary>
public sealed class KeySearchTests
{
    private const string Secret = "kd_0123456789abcdefghijABCDEFGHIJ012345";

    [Theory]
    [InlineData("Bearer " + Secret)]
    [InlineData("BEARER " + Secret)]
    [InlineData("Authorization: Bearer " + Secret)]
    [InlineData("AUTHORIZATION:Bearer   " + Secret)]
    [InlineData("X-API-Key: " + Secret)]
    [InlineData("x-api-key:" + Secret)]
    [InlineData("\"" + Secret + "\"")]
    [InlineData("'" + Secret + "'")]
    [InlineData("`" + Secret + "`")]
    [InlineData("\u201C" + Secret + "\u201D")]
    [InlineData(Secret + ",")]
    [InlineData(Secret + ";")]
    [InlineData("  \t" + Secret + " \r\n")]
    [InlineData("\"Authorization: Bearer " + Secret + "\",")]
    [InlineData("Authorization: \"Bearer " + Secret + "\";")]
    [InlineData("'X-API-Key: " + Secret + "'")]
    [InlineData("\u200B" + Secret + "\u0000")]
    public void Strips_headers_schemes_quotes_whitespace_and_trailing_punctuation(string pasted)
    {
        Assert.Equal(Secret, KeySearch.Normalize(pasted));
    }

    [Theory]
    [InlineData("Billing", "Billing")]
    [InlineData("  CI deploys ", "CI deploys")]
    [InlineData("kd_...a1B2", "kd_...a1B2")]
    [InlineData("Bearer", "Bearer")]
    [InlineData("O'Brien's key", "O'Brien's key")]
    public void Leaves_ordinary_searches_alone(string typed, string expected)
    {
        Assert.Equal(expected, KeySearch.Normalize(typed));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("\"")]
    [InlineData("\"\"\"''``")]
    [InlineData(",;,;")]
    [InlineData("Bearer \"\"")]
    [InlineData("\u0000\u0001\u001F\u007F")]
    public void Nothing_but_wrapping_is_an_empty_search(string? pasted)
    {
        Assert.Equal("", KeySearch.Normalize(pasted));
    }

    [Fact]
    public void Hostile_input_neither_throws_nor_grows()
    {
        var huge = new string('"', 100_000) + Secret + new string(';', 100_000);
        var nested = string.Concat(Enumerable.Repeat("Authorization: Bearer ", 5_000)) + Secret;
        var noise = new string(Enumerable.Range(0, 5_000).Select(i => (char)(i % 0xD800)).ToArray());

        Assert.True(KeySearch.Normalize(huge).Length <= 512);
        Assert.True(KeySearch.Normalize(nested).Length <= 512);
        Assert.True(KeySearch.Normalize(noise).Length <= 512);
        Assert.Equal(Secret, KeySearch.Normalize("Authorization: Bearer Authorization: Bearer " + Secret));
    }
}
