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
    public void Valid_entries_are_stored_in_canonical_form(string entry, string expected)
    {
        Assert.True(IpAllowlist.TryNormalize(entry, out var normalized, out var error), error);
        Assert.Equal(expected, normalized);
    }

    [Theory]
    [InlineData("10.0.0.1/8", "'10.0.0.1/8' has host bits set; did you mean 10.0.0.0/8?")]
    [InlineData("2001:db8::1/32", "'2001:db8::1/32' has host bits set; did you mean 2001:db8::/32?")]
    [InlineData("300.1.1.1", "'300.1.1.1' is not a valid IP address or CIDR network.")]
    [InlineData("10.0.0.0/33", "'10.0.0.0/33' is not a valid IP address or CIDR network.")]
    [InlineData("example.com", "'example.com' is not a valid IP address or CIDR network.")]
    [InlineData("fe80::1%eth0", "'fe80::1%eth0' is not a valid IP address or CIDR network.")]
    [InlineData("", "An IP allowlist entry is empty.")]
    public void Invalid_entries_get_a_message_naming_them(string entry, string message)
    {
        Assert.False(IpAllowlist.TryNormalize(entry, out _, out var error));
        Assert.Equal(message, error);
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
