using System.Net;
using KeysDashboard.Keys;

namespace KeysDashboard.Tests.Keys;

public sealed class IpAllowlistTests
{
    [Theory]
    [InlineData("203.0.113.7", "203.0.113.7")]
    [InlineData(" 10.0.0.0/8 ", "10.0.0.0/8")]
    [InlineData("2001:db8::1", "2001:db8::1")]
    [InlineData("2001:DB8:0:0::/32", "2001:db8::/32")]
    [InlineData("::ffff:192.0.2.1", "192.0.2.1")]
    [InlineData("0.0.0.0/0", "0.0.0.0/0")]
    [InlineData("2001:0db8:0000::0001", "2001:db8::1")]
    [InlineData("::ffff:10.0.0.0/104", "10.0.0.0/8")]
    [InlineData("::ffff:127.0.0.0/104", "127.0.0.0/8")]
    [InlineData("::ffff:192.0.2.1/128", "192.0.2.1/32")]
    [InlineData("::ffff:0:0/96", "0.0.0.0/0")]
    [InlineData("::1.2.3.4", "::1.2.3.4")]
    public void Valid_entries_are_stored_in_canonical_form(string entry, string expected)
    {
        Assert.True(IpAllowlist.TryNormalize(entry, out var normalized, out var error), error);
        Assert.Equal(expected, normalized);
    }

    [Theory]
    [InlineData("10.0.0.1/8", "'10.0.0.1/8' has host bits set; did you mean 10.0.0.0/8?")]
    [InlineData("2001:db8::1/32", "'2001:db8::1/32' has host bits set; did you mean 2001:db8::/32?")]
    [InlineData("::ffff:10.0.0.1/104", "'::ffff:10.0.0.1/104' has host bits set; did you mean 10.0.0.0/8?")]
    [InlineData("300.1.1.1", "'300.1.1.1' is not a valid IP address or CIDR network. " + IpAllowlist.AcceptedForms)]
    [InlineData("10.0.0.0/33", "'10.0.0.0/33' is not a valid IP address or CIDR network. " + IpAllowlist.AcceptedForms)]
    [InlineData("example.com", "'example.com' is not a valid IP address or CIDR network. " + IpAllowlist.AcceptedForms)]
    [InlineData("fe80::1%eth0", "'fe80::1%eth0' is not a valid IP address or CIDR network. " + IpAllowlist.AcceptedForms)]
    [InlineData("010.0.0.1", "'010.0.0.1' is not a valid IP address or CIDR network. Did you mean 10.0.0.1? " + IpAllowlist.AcceptedForms)]
    [InlineData("017.0.0.0/8", "'017.0.0.0/8' is not a valid IP address or CIDR network. Did you mean 17.0.0.0/8? " + IpAllowlist.AcceptedForms)]
    [InlineData("", "An IP allowlist entry is empty.")]
    public void Invalid_entries_get_a_message_naming_them(string entry, string message)
    {
        Assert.False(IpAllowlist.TryNormalize(entry, out _, out var error));
        Assert.Equal(message, error);
    }

    [Theory]
    [InlineData("010.0.0.1")] // inet_aton: octal, 8.0.0.1
    [InlineData("017.0.0.0/8")] // 15.0.0.0/8
    [InlineData("1.2.3")] // 1.2.0.3
    [InlineData("0x7f.1")] // 127.0.0.1
    [InlineData("10")] // 0.0.0.10
    [InlineData("0x7f000001")]
    [InlineData("2130706433")]
    [InlineData("127.1")]
    [InlineData("1.2.3.4.5")]
    [InlineData("1.2.3.")]
    [InlineData("+1.2.3.4")]
    [InlineData("10.0.0.0/08")]
    [InlineData("10.0.0.0/+8")]
    [InlineData("10.0.0.0/ 8")]
    [InlineData("10.0.0.0 /8")]
    [InlineData("10.0.0.0/")]
    [InlineData("1.2.3.4 5")]
    [InlineData("1.2.3.\uFF14")] // fullwidth digit four
    [InlineData("\u0661.2.3.4")] // Arabic-Indic digit one
    [InlineData("fe80::1%eth0")]
    [InlineData("fe80::1%2")]
    [InlineData("fe80::/10%eth0")]
    [InlineData("[2001:db8::1]")]
    [InlineData("::ffff:010.0.0.1")]
    [InlineData("::ffff:1.2.3")]
    [InlineData("::ffff:0x7f.0.0.1")]
    [InlineData("::1.2.3.04")]
    [InlineData("2001:db8::/032")]
    [InlineData("2001:db8::/129")]
    public void Only_canonical_spellings_are_accepted_never_inet_aton_legacy_forms(string entry)
    {
        Assert.False(IpAllowlist.TryNormalize(entry, out var normalized, out var error), $"'{entry}' was accepted as {normalized}");
        Assert.Contains($"'{entry.Trim()}'", error);
        Assert.False(IpAllowlist.TryParseAddress(entry, out var address, out _), $"'{entry}' was accepted as {address}");
    }

    [Theory]
    [InlineData(" 10.0.0.1 ", "10.0.0.1")]
    [InlineData("\t2001:db8::1\n", "2001:db8::1")]
    public void Whitespace_around_an_entry_is_ignored(string entry, string expected)
    {
        Assert.True(IpAllowlist.TryNormalize(entry, out var normalized, out var error), error);
        Assert.Equal(expected, normalized);
        Assert.True(IpAllowlist.TryParseAddress(entry, out var address, out error), error);
        Assert.Equal(expected, address.ToString());
    }

    [Theory]
    [InlineData("0.0.0.0")]
    [InlineData("255.255.255.255")]
    [InlineData("100.64.0.1")]
    [InlineData("::")]
    [InlineData("::ffff:192.0.2.1")]
    [InlineData("2001:DB8::A")]
    public void Canonical_client_addresses_parse(string text) =>
        Assert.True(IpAllowlist.TryParseAddress(text, out _, out var error), error);

    [Fact]
    public void A_client_address_with_leading_zeros_gets_a_suggestion()
    {
        Assert.False(IpAllowlist.TryParseAddress("010.0.0.1", out _, out var error));
        Assert.StartsWith("'010.0.0.1' is not an IP address in standard form. Did you mean 10.0.0.1?", error);
        Assert.False(IpAllowlist.TryParseAddress("10.0.0.0/8", out _, out error));
        Assert.DoesNotContain("Did you mean", error);
    }

    [Fact]
    public void A_mapped_network_is_stored_in_the_IPv4_form_that_matches_mapped_clients()
    {
        Assert.True(IpAllowlist.TryNormalize("::ffff:127.0.0.0/104", out var normalized, out _));

        Assert.True(IpAllowlist.Allows([normalized], IPAddress.Parse("::ffff:127.0.0.1")));
        Assert.True(IpAllowlist.Allows([normalized], IPAddress.Parse("127.0.0.1")));
        Assert.False(IpAllowlist.Allows([normalized], IPAddress.Parse("128.0.0.1")));
    }

    [Fact]
    public void Normalize_reports_every_bad_entry_and_drops_duplicates()
    {
        var result = IpAllowlist.Normalize(["1.2.3.4", "bad", "1.2.3.4", "10.0.0.1/8"], out var errors);

        Assert.Equal(["1.2.3.4"], result);
        Assert.Equal(2, errors.Count);
    }

    [Fact]
    public void An_empty_allowlist_allows_any_address()
    {
        Assert.True(IpAllowlist.Allows([], IPAddress.Parse("198.51.100.1")));
        Assert.True(IpAllowlist.Allows([], null));
    }

    [Theory]
    [InlineData("203.0.113.7", true)]
    [InlineData("203.0.113.8", false)]
    [InlineData("10.255.0.1", true)]
    [InlineData("11.0.0.1", false)]
    [InlineData("2001:db8:ffff::5", true)]
    [InlineData("2001:db9::5", false)]
    [InlineData("::1", false)]
    public void Addresses_match_single_entries_and_networks_of_their_family(string client, bool allowed)
    {
        string[] allowlist = ["203.0.113.7", "10.0.0.0/8", "2001:db8::/32"];

        Assert.Equal(allowed, IpAllowlist.Allows(allowlist, IPAddress.Parse(client)));
    }

    [Fact]
    public void An_ipv4_mapped_ipv6_client_matches_ipv4_entries()
    {
        Assert.True(IpAllowlist.Allows(["10.0.0.0/8"], IPAddress.Parse("::ffff:10.1.2.3")));
        Assert.True(IpAllowlist.Allows(["192.0.2.1"], IPAddress.Parse("::ffff:192.0.2.1")));
        Assert.False(IpAllowlist.Allows(["10.0.0.0/8"], IPAddress.Parse("::ffff:11.1.2.3")));
    }

    [Fact]
    public void An_ipv4_mapped_ipv6_client_matches_only_ipv4_entries()
    {
        // ::/0 is every IPv6 address, but a mapped client is an IPv4 peer and is judged as one.
        Assert.False(IpAllowlist.Allows(["::/0"], IPAddress.Parse("::ffff:10.1.2.3")));
        Assert.False(IpAllowlist.Allows(["::ffff:0:0/96"], IPAddress.Parse("::ffff:10.1.2.3")));
    }

    [Fact]
    public void An_unknown_client_address_is_refused_when_an_allowlist_is_set() =>
        Assert.False(IpAllowlist.Allows(["0.0.0.0/0"], null));
}
