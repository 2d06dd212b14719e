using System.Net;
using System.Text.RegularExpressions;
using KeysDashboard.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;

namespace KeysDashboard.Tests.Hosting;

public sealed partial class SecurityHeadersTests
{
    [Theory]
    [InlineData("/setup", HttpStatusCode.OK)]
    [InlineData("/no-such-page", HttpStatusCode.NotFound)]
    [InlineData("/api-docs/index.html", HttpStatusCode.OK)]
    public async Task Every_page_forbids_framing_and_foreign_scripts(string path, HttpStatusCode expected)
    {
        await using var app = new AppFactory();
        var client = app.CreateBrowserLikeClient();

        var response = await client.GetAsync(path);

        Assert.Equal(expected, response.StatusCode);
        var csp = Assert.Single(response.Headers.GetValues("Content-Security-Policy"));
        var directives = csp.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("frame-ancestors 'none'", directives);
        Assert.Contains("object-src 'none'", directives);
        var scripts = Assert.Single(directives, d => d.StartsWith("script-src ", StringComparison.Ordinal));
        Assert.Matches("^script-src 'self' 'nonce-[0-9A-F]{32}'$", scripts);
        Assert.Equal("DENY", Assert.Single(response.Headers.GetValues("X-Frame-Options")));
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("strict-origin-when-cross-origin", Assert.Single(response.Headers.GetValues("Referrer-Policy")));
    }

    [Fact]
    public async Task Every_inline_script_on_a_page_carries_that_responses_nonce()
    {
        await using var app = new AppFactory();
        var client = app.CreateBrowserLikeClient();
        await Owner.SetUpAsync(client);

        foreach (var path in new[] { "/keys", "/Account/Manage", "/no-such-page" })
        {
            var response = await client.GetAsync(path);
            var html = await response.Content.ReadAsStringAsync();
            var nonce = Regex.Match(Assert.Single(response.Headers.GetValues("Content-Security-Policy")), "'nonce-([^']+)'").Groups[1].Value;

            var inline = InlineScript().Matches(html);
            if (path == "/keys")
            {
                Assert.Contains(inline, script => script.Value.Contains("importmap", StringComparison.Ordinal));
            }
            Assert.All(inline, script => Assert.Contains($"nonce=\"{nonce}\"", script.Value));
        }
    }

    [Theory]
    [InlineData("/api/v2/keys")]
    [InlineData("/api/v2/no-such-endpoint")]
    [InlineData("/openapi/v1.json")]
    public async Task Api_answers_are_never_cached_nor_sniffed(string path)
    {
        await using var app = new AppFactory();
        var client = app.CreateBrowserLikeClient();

        var response = await client.GetAsync(path);

        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
    }

    [Fact]
    public async Task A_key_created_through_the_api_is_answered_with_no_store()
    {
        await using var api = new ApiFactory();
        var admin = await api.CreateKeyAsync("admin");

        var response = await api.Client(admin.Secret).PostAsync("/api/v2/keys", ApiJson.Body("""{"name":"cached?"}"""));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
    }

    [Fact]
    public async Task Hsts_and_a_secure_antiforgery_cookie_only_over_https()
    {
        await using var app = new AppFactory();
        var https = app.CreateClient(new WebApplicationFactoryClientOptions
        {
            BaseAddress = new Uri("https://keys.example/"),
            AllowAutoRedirect = false,
        });
        var http = app.CreateClient(new WebApplicationFactoryClientOptions
        {
            BaseAddress = new Uri("http://keys.example/"),
            AllowAutoRedirect = false,
        });

        var overHttps = await https.GetAsync("/setup");
        var overHttp = await http.GetAsync("/setup");

        Assert.Contains("max-age=", Assert.Single(overHttps.Headers.GetValues("Strict-Transport-Security")));
        Assert.False(overHttp.Headers.Contains("Strict-Transport-Security"));
        var httpsCookie = Assert.Single(overHttps.Headers.GetValues("Set-Cookie"), c => c.StartsWith(".AspNetCore.Antiforgery", StringComparison.Ordinal));
        Assert.Contains("secure", httpsCookie, StringComparison.OrdinalIgnoreCase);
        var httpCookie = Assert.Single(overHttp.Headers.GetValues("Set-Cookie"), c => c.StartsWith(".AspNetCore.Antiforgery", StringComparison.Ordinal));
        Assert.DoesNotContain("secure", httpCookie, StringComparison.OrdinalIgnoreCase);
    }

    [GeneratedRegex("<script(?![^>]*\\ssrc=)[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex InlineScript();
}
