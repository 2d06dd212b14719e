using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace KeysDashboard.Keys;

/// <summary>
/// Parses and matches a key's IP allowlist. Entries are single addresses (IPv4 or IPv6) or CIDR networks;
/// an empty list allows every address.
/// </summary>
internal static class IpAllowlist
{
    public const int MaxEntries = 100;

    /// <summary>What <see cref="TryNormalize"/> and <see cref="TryParseAddress"/> accept, for messages.</summary>
    public const string AcceptedForms =
        "Write IPv4 as four numbers 0-255 without leading zeros (192.0.2.1), IPv6 in standard notation (2001:db8::1), " +
        "either optionally with a /prefix length (10.0.0.0/8).";

    /// <summary>
    /// Canonicalises one entry: "10.0.0.0/8" stays a network, "1.2.3.4" a single address, and an IPv4-mapped
    /// IPv6 address or network is stored as the IPv4 address or network it stands for. Only the canonical
    /// spellings are accepted: IPAddress.Parse also takes inet_aton's legacy forms (010.0.0.1 is octal 8.0.0.1,
    /// 1.2.3 is 1.2.0.3, 10 is 0.0.0.10), which would store something other than what the admin typed. Returns
    /// an error naming the entry when it is not valid, including a network with host bits set ("10.0.0.1/8").
    /// </summary>
    public static bool TryNormalize(string? entry, out string normalized, out string? error)
    {
        normalized = "";
        var text = entry?.Trim() ?? "";
        if (text.Length == 0)
        {
            error = "An IP allowlist entry is empty.";
            return false;
        }

        var slash = text.IndexOf('/');
        var addressText = slash < 0 ? text : text[..slash];
        if (!TryParseCanonical(addressText, out var address))
        {
            var fixedAddress = LeadingZerosFixed(addressText);
            error = NotValid(text, fixedAddress is null || slash < 0 ? fixedAddress : fixedAddress + text[slash..]);
            return false;
        }
        if (slash < 0)
        {
            normalized = Canonical(address).ToString();
            error = null;
            return true;
        }

        if (!TryParsePrefixLength(text.AsSpan(slash + 1), address.AddressFamily, out var length))
        {
            error = NotValid(text, null);
            return false;
        }
        // A client with a mapped address is matched as IPv4, so a mapped network only means something as IPv4.
        if (address.IsIPv4MappedToIPv6 && length >= 96)
        {
            address = address.MapToIPv4();
            length -= 96;
        }
        var network = new IPNetwork(MaskHostBits(address, length), length);
        if (!network.BaseAddress.Equals(address))
        {
            // IPNetwork.Parse would quietly mask host bits away; an entry like 10.0.0.1/8 is almost always a typo
            // for a single address or a different prefix, so say so instead of guessing.
            error = $"'{text}' has host bits set; did you mean {network}?";
            return false;
        }
        normalized = network.ToString();
        error = null;
        return true;
    }

    /// <summary>
    /// Parses one client address in canonical form (no prefix), as <see cref="TryNormalize"/> does, for a caller
    /// that names the address to check.
    /// </summary>
    public static bool TryParseAddress(string? text, [NotNullWhen(true)] out IPAddress? address, out string? error)
    {
        var trimmed = text?.Trim() ?? "";
        if (TryParseCanonical(trimmed, out var parsed))
        {
            address = parsed;
            error = null;
            return true;
        }
        address = null;
        var fixedText = LeadingZerosFixed(trimmed);
        error = $"'{text}' is not an IP address in standard form. " +
            (fixedText is null ? "" : $"Did you mean {fixedText}? ") +
            "Write IPv4 as four numbers 0-255 without leading zeros (192.0.2.1), IPv6 in standard notation (2001:db8::1).";
        return false;
    }

    /// <summary>Normalises every entry, collecting one message per bad entry; duplicates are dropped.</summary>
    public static IReadOnlyList<string> Normalize(IEnumerable<string?> entries, out IReadOnlyList<string> errors)
    {
        var result = new List<string>();
        var problems = new List<string>();
        foreach (var entry in entries)
        {
            if (TryNormalize(entry, out var normalized, out var error))
            {
                if (!result.Contains(normalized, StringComparer.OrdinalIgnoreCase))
                {
                    result.Add(normalized);
                }
            }
            else
            {
                problems.Add(error!);
            }
        }
        if (result.Count > MaxEntries)
        {
            problems.Add($"An allowlist holds at most {MaxEntries} entries.");
        }
        errors = problems;
        return result;
    }

    /// <summary>
    /// True when <paramref name="client"/> may use a key with this allowlist. An IPv4-mapped IPv6 client
    /// (::ffff:1.2.3.4, as a dual-stack socket reports IPv4 peers) is matched as the IPv4 address it is, and so
    /// only against IPv4 entries.
    /// </summary>
    public static bool Allows(IReadOnlyCollection<string> allowlist, IPAddress? client)
    {
        if (allowlist.Count == 0)
        {
            return true;
        }
        if (client is null)
        {
            return false;
        }

        client = Canonical(client);
        foreach (var entry in allowlist)
        {
            if (entry.Contains('/'))
            {
                if (IPNetwork.TryParse(entry, out var network) &&
                    network.BaseAddress.AddressFamily == client.AddressFamily &&
                    network.Contains(client))
                {
                    return true;
                }
            }
            else if (IPAddress.TryParse(entry, out var single) && Canonical(single).Equals(client))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// True when every address <paramref name="inner"/> allows is one <paramref name="outer"/> allows too: the
    /// outer list is empty (anywhere), or the inner one is not and each of its networks lies inside one of the
    /// outer's. Both lists are canonical (as <see cref="Normalize"/> returns them).
    /// </summary>
    public static bool Within(IReadOnlyCollection<string> inner, IReadOnlyCollection<string> outer)
    {
        if (outer.Count == 0)
        {
            return true;
        }
        if (inner.Count == 0)
        {
            return false;
        }
        var outerNetworks = outer.Select(AsNetwork).OfType<IPNetwork>().ToList();
        return inner.All(entry => AsNetwork(entry) is { } network && outerNetworks.Any(o =>
            o.BaseAddress.AddressFamily == network.BaseAddress.AddressFamily &&
            o.PrefixLength <= network.PrefixLength &&
            o.Contains(network.BaseAddress)));
    }

    private static IPNetwork? AsNetwork(string entry)
    {
        if (entry.Contains('/'))
        {
            return IPNetwork.TryParse(entry, out var network) ? network : null;
        }
        if (!IPAddress.TryParse(entry, out var address))
        {
            return null;
        }
        address = Canonical(address);
        return new IPNetwork(address, address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128);
    }

    private static IPAddress Canonical(IPAddress address) =>
        address.AddressFamily == AddressFamily.InterNetworkV6 && address.IsIPv4MappedToIPv6
            ? address.MapToIPv4()
            : address;

    private static string NotValid(string text, string? suggestion) =>
        $"'{text}' is not a valid IP address or CIDR network. " +
        (suggestion is null ? "" : $"Did you mean {suggestion}? ") + AcceptedForms;

    /// <summary>Four dotted decimal numbers 0-255 without leading zeros, or IPv6 text whose IPv4 tail is one.</summary>
    private static bool TryParseCanonical(string text, [NotNullWhen(true)] out IPAddress? address)
    {
        address = null;
        if (text.Contains(':'))
        {
            // Hex digits, colons and a dotted IPv4 tail only: no zone id (%eth0), brackets, spaces or prefix.
            if (!text.All(c => char.IsAsciiHexDigit(c) || c is ':' or '.'))
            {
                return false;
            }
            var tail = text.LastIndexOf(':');
            if (text.Contains('.') && !IsDottedQuad(text.AsSpan(tail + 1)))
            {
                return false;
            }
            return IPAddress.TryParse(text, out address) && address.AddressFamily == AddressFamily.InterNetworkV6;
        }
        return IsDottedQuad(text) && IPAddress.TryParse(text, out address);
    }

    private static bool IsDottedQuad(ReadOnlySpan<char> text)
    {
        var parts = 0;
        foreach (var range in text.Split('.'))
        {
            if (!IsDecimal(text[range], max: 255))
            {
                return false;
            }
            parts++;
        }
        return parts == 4;
    }

    private static bool TryParsePrefixLength(ReadOnlySpan<char> text, AddressFamily family, out int length)
    {
        var max = family == AddressFamily.InterNetwork ? 32 : 128;
        length = 0;
        return IsDecimal(text, max) && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out length);
    }

    /// <summary>A decimal number without sign, spaces or leading zeros, at most <paramref name="max"/>.</summary>
    private static bool IsDecimal(ReadOnlySpan<char> text, int max) =>
        text.Length is > 0 and <= 3 &&
        !text.ContainsAnyExcept(Digits) &&
        (text.Length == 1 || text[0] != '0') &&
        int.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture) <= max;

    private static readonly SearchValues<char> Digits = SearchValues.Create("0123456789");

    /// <summary>
    /// "010.000.0.1" → "10.0.0.1": four decimal numbers that only lack canonical form through leading zeros, the
    /// likely meaning for a person (not inet_aton's octal). Null for anything else.
    /// </summary>
    private static string? LeadingZerosFixed(string text)
    {
        var parts = text.Split('.');
        if (parts.Length != 4 || parts.Any(p => p.Length is 0 or > 4 || p.AsSpan().ContainsAnyExcept(Digits)))
        {
            return null;
        }
        var numbers = parts.Select(p => int.Parse(p, NumberStyles.None, CultureInfo.InvariantCulture)).ToArray();
        return numbers.All(n => n <= 255) ? string.Join('.', numbers) : null;
    }

    private static IPAddress MaskHostBits(IPAddress address, int length)
    {
        var bytes = address.GetAddressBytes();
        for (var bit = length; bit < bytes.Length * 8; bit++)
        {
            bytes[bit / 8] &= (byte)~(0x80 >> (bit % 8));
        }
        return new IPAddress(bytes);
    }
}
