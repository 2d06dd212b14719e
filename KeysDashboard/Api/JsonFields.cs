using System.Globalization;
using System.Text.Json;

namespace KeysDashboard.Api;

/// <summary>
/// Reads the fields of a JSON object one at a time, collecting one error per bad field (wrong type, unknown
/// name) rather than stopping at the first, so a client can fix everything in one go.
/// </summary>
internal sealed class JsonFields(JsonElement body)
{
    private readonly HashSet<string> known = new(StringComparer.Ordinal);

    public List<ApiError> Errors { get; } = [];

    public bool Has(string name)
    {
        known.Add(name);
        return body.TryGetProperty(name, out _);
    }

    public bool IsNull(string name) => body.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Null;

    public string? String(string name)
    {
        if (!Get(name, out var value))
        {
            return null;
        }
        if (value.ValueKind != JsonValueKind.String)
        {
            Errors.Add(new ApiError("invalid_type", $"'{name}' must be a string.", name));
            return null;
        }
        return value.GetString();
    }

    public bool? Bool(string name)
    {
        if (!Get(name, out var value))
        {
            return null;
        }
        if (value.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
        {
            Errors.Add(new ApiError("invalid_type", $"'{name}' must be true or false.", name));
            return null;
        }
        return value.GetBoolean();
    }

    public long? Integer(string name)
    {
        if (!Get(name, out var value))
        {
            return null;
        }
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out var number))
        {
            Errors.Add(new ApiError("invalid_type", $"'{name}' must be a whole number.", name));
            return null;
        }
        return number;
    }

    public List<string>? StringArray(string name)
    {
        if (!Get(name, out var value))
        {
            return null;
        }
        if (value.ValueKind != JsonValueKind.Array || value.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.String))
        {
            Errors.Add(new ApiError("invalid_type", $"'{name}' must be an array of strings.", name));
            return null;
        }
        return [.. value.EnumerateArray().Select(e => e.GetString()!)];
    }

    /// <summary>An ISO 8601 date-time with an offset or Z, returned in UTC. JSON null reads as null.</summary>
    public DateTime? DateTime(string name)
    {
        if (!Get(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        if (value.ValueKind != JsonValueKind.String ||
            !DateTimeOffset.TryParse(value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
        {
            Errors.Add(new ApiError("invalid_type", $"'{name}' must be an ISO 8601 date-time such as 2030-01-31T00:00:00Z, or null.", name));
            return null;
        }
        return parsed.UtcDateTime;
    }

    /// <summary>Adds an error for every property that no reader asked for. Call after reading all known fields.</summary>
    public void RejectUnknown()
    {
        foreach (var property in body.EnumerateObject())
        {
            if (!known.Contains(property.Name))
            {
                Errors.Add(new ApiError("unknown_field", $"'{property.Name}' is not a field of this request.", property.Name));
            }
        }
    }

    private bool Get(string name, out JsonElement value)
    {
        known.Add(name);
        return body.TryGetProperty(name, out value);
    }
}
