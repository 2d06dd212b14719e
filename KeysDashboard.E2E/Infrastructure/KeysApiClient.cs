using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace KeysDashboard.E2E.Infrastructure;

/// <summary>The HTTP API with one key's secret, for tests that need keys faster than the dialog makes them, or ask whether a secret still works.</summary>
public sealed class KeysApiClient(string baseUrl, string secret) : IDisposable
{
    private readonly HttpClient http = new()
    {
        BaseAddress = new Uri(baseUrl),
        DefaultRequestHeaders = { Authorization = new AuthenticationHeaderValue("Bearer", secret) },
    };

    /// <summary>Creates a key and returns its secret.</summary>
    public async Task<string> CreateAsync(string name, bool readOnly = false, DateTime? expiresUtc = null)
    {
        // The API refuses null for a field it knows; leave out what is not asked for.
        var body = new Dictionary<string, object> { ["name"] = name };
        if (readOnly)
        {
            body["permissions"] = new[] { "fetch" };
        }
        if (expiresUtc is { } expires)
        {
            body["expires_time"] = expires;
        }
        var response = await http.PostAsJsonAsync("/api/v2/keys", body);
        var answer = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"POST /api/v2/keys for '{name}': {(int)response.StatusCode} {answer}");
        using var json = JsonDocument.Parse(answer);
        return json.RootElement.GetProperty("result").GetProperty("value").GetString()!;
    }

    /// <summary>GET /api/v2/me: whether this secret authenticates right now.</summary>
    public async Task<HttpStatusCode> MeAsync() => (await http.GetAsync("/api/v2/me")).StatusCode;

    public void Dispose() => http.Dispose();
}
