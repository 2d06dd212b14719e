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

    /// <summary>
    /// Canonicalises one entry: "10.0.0.0/8" stays a network, "1.2.3.4" a single address, and an IPv4-mapped
    /// IPv6 address is stored as the IPv4 address it stands for. Returns an error naming the entry when it is
    /// not valid, including a network with host bits set ("10.0.0.1/8").
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

        if (text.Contains('/'))
        {
            if (IsNetworkWithHostBits(text, out var suggestion))
            {
                // IPNetwork.TryParse quietly masks host bits away; an entry like 10.0.0.1/8 is almost always a
                // typo for a single address or a different prefix, so say so instead of guessing.
                error = $"'{text}' has host bits set; did you mean {suggestion}?";
                return false;
            }
            if (!IPNetwork.TryParse(text, out var network))
            {
                error = $"'{text}' is not a valid IP address or CIDR network.";
                return false;
            }
            normalized = network.ToString();
            error = null;
            return true;
        }

        if (!IPAddress.TryParse(text, out var address) || text.Contains('%'))
        {
            error = $"'{text}' is not a valid IP address or CIDR network.";
            return false;
        }
        normalized = Canonical(address).ToString();
        error = null;
        return true;
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

    private static IPAddress Canonical(IPAddress address) =>
        address.AddressFamily == AddressFamily.InterNetworkV6 && address.IsIPv4MappedToIPv6
            ? address.MapToIPv4()
            : address;

    private static bool IsNetworkWithHostBits(string text, out string suggestion)
    {
        suggestion = "";
        var slash = text.IndexOf('/');
        if (!IPAddress.TryParse(text.AsSpan(0, slash), out var address) ||
            !int.TryParse(text.AsSpan(slash + 1), out var length))
        {
            return false;
        }
        var max = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        if (length < 0 || length > max)
        {
            return false;
        }

        var bytes = address.GetAddressBytes();
        for (var bit = length; bit < max; bit++)
        {
            bytes[bit / 8] &= (byte)~(0x80 >> (bit % 8));
        }
        var networkAddress = new IPAddress(bytes);
        suggestion = $"{networkAddress}/{length}";
        return !networkAddress.Equals(address);
    }
}
