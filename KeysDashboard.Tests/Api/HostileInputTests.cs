using System.Net;
using System.Text;
using KeysDashboard.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace KeysDashboard.Tests.Api;

/// <summary>Bytes no honest client sends still get a 400 envelope, change nothing, and log no error.</summary>
public sealed class HostileInputTests : IAsyncLifetime
{
    private readonly CapturedLogs logs = new();
    private readonly ApiFactory api;
    private HttpClient client = default!;
    private string target = "";

    public HostileInputTests() =>
        api = new ApiFactory(testServices: services => services.AddSingleton<ILoggerProvider>(logs));

    public async ValueTask InitializeAsync()
    {
        var caller = await api.CreateKeyAsync("Integration");
        target = (await api.CreateKeyAsync("Target")).Key.Id;
        client = api.Client(caller.Secret);
    }

    public ValueTask DisposeAsync() => api.DisposeAsync();

    private static readonly (string Method, string Path)[] Writes =
    [
        ("POST", "/api/v2/keys"),
        ("PATCH", "/api/v2/keys/{id}"),
        ("POST", "/api/v2/keys/{id}/regenerate"),
        ("POST", "/api/v2/verify"),
    ];

    public static TheoryData<string> HostileBodies => new()
    {
        // Lone surrogates, escaped: well-formed JSON whose strings have no UTF-16 reading.
        """{"name": "\ud800"}""",
        """{"key": "abc\udfff"}""",
        """{"\ud800": 1}""",
        """{"ips": ["\udc00"]}""",
        """{"grace_period_seconds": 1, "x\ud83d": 2}""",
    };

    [Theory]
    [MemberData(nameof(HostileBodies))]
    public async Task Lone_surrogate_escapes_get_400_invalid_json_on_every_write(string body)
    {
        foreach (var (method, path) in Endpoints())
        {
            using var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = ApiJson.Body(body) });

            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{method} {path} {body} -> {(int)response.StatusCode}");
            Assert.Equal(["invalid_json"], await response.ErrorCodesAsync());
        }
        await AssertNothingChangedAndNoErrorLoggedAsync();
    }

    [Theory]
    [InlineData(new byte[] { 0xFF })]
    [InlineData(new byte[] { 0xC3 })]
    [InlineData(new byte[] { 0xED, 0xA0, 0x80 })]
    [InlineData(new byte[] { 0xC0, 0xAF })]
    [InlineData(new byte[] { 0xF4, 0x90, 0x80, 0x80 })]
    public async Task Invalid_utf8_in_a_value_or_a_property_name_gets_400_invalid_json_on_every_write(byte[] bad)
    {
        foreach (var (before, after) in new[] { ("{\"name\": \"a", "b\"}"), ("{\"a", "b\": \"x\"}"), ("{\"key\": \"", "\"}"), ("{\"ips\": [\"", "\"]}") })
        {
            byte[] body = [.. Encoding.UTF8.GetBytes(before), .. bad, .. Encoding.UTF8.GetBytes(after)];
            foreach (var (method, path) in Endpoints())
            {
                var content = new ByteArrayContent(body);
                content.Headers.ContentType = new("application/json");
                using var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = content });

                Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{method} {path} {Convert.ToHexString(body)} -> {(int)response.StatusCode}");
                Assert.Equal(["invalid_json"], await response.ErrorCodesAsync());
            }
        }
        await AssertNothingChangedAndNoErrorLoggedAsync();
    }

    [Theory]
    [InlineData("kd_\u00ff\u00fe")]
    [InlineData("kd_\u0001\u0007")]
    [InlineData("\u00e9")]
    [InlineData("Bearer")]
    public async Task Odd_bytes_in_a_key_header_are_a_401_envelope(string value)
    {
        foreach (var header in new[] { "Authorization", "X-API-Key" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v2/me");
            request.Headers.TryAddWithoutValidation(header, header == "Authorization" ? "Bearer " + value : value);
            using var anonymous = api.Client();
            using var response = await anonymous.SendAsync(request);

            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.NotEmpty(await response.ErrorCodesAsync());
        }
        using var huge = api.Client("kd_" + new string('A', 60_000));
        using var refused = await huge.GetAsync("/api/v2/me");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal(["malformed_key"], await refused.ErrorCodesAsync());
        await AssertNothingChangedAndNoErrorLoggedAsync();
    }

    [Theory]
    [InlineData("""{"key": "kd_\u0000\u001b[31m"}""")]
    [InlineData("""{"key": "x", "ip": "10.0.0.1\u0000"}""")]
    [InlineData("""{"key": "x", "ip": "fe80::1%\u202eeth0"}""")]
    [InlineData("""{"key": "x", "ip": "::ffff:1.2.3.4%25"}""")]
    public async Task Control_characters_in_verify_fields_are_answered_not_a_500(string body)
    {
        using var response = await client.PostAsync("/api/v2/verify", ApiJson.Body(body));

        Assert.True((int)response.StatusCode is 200 or 400, $"{body} -> {(int)response.StatusCode}");
        Assert.Equal((int)response.StatusCode == 200, (await response.ReadAsync()).GetProperty("success").GetBoolean());
        await AssertNothingChangedAndNoErrorLoggedAsync();
    }

    private IEnumerable<(string Method, string Path)> Endpoints() =>
        Writes.Select(w => (w.Method, w.Path.Replace("{id}", target)));

    private async Task AssertNothingChangedAndNoErrorLoggedAsync()
    {
        Assert.Equal("Target", (await api.WithKeysAsync(k => k.FindAsync(target, ApiFactory.Admin)))!.Name);
        Assert.Equal(2, await api.WithDbAsync(db => db.ApiKeys.CountAsync()));
        Assert.Empty(logs.AtLeast(LogLevel.Error).Select(l => $"{l.Category}: {l.Message} {l.Exception?.GetType()}"));
    }
}
