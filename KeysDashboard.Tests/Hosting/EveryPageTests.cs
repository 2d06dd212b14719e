using System.Net;
using System.Reflection;
using System.Text.RegularExpressions;
using KeysDashboard.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace KeysDashboard.Tests.Hosting;

/// <summary>
/// Every routable page and endpoint, found by reflection and from the app's endpoint table rather than listed by
/// hand (so a new page is covered the day it is added), visited anonymously and signed in: never a 5xx.
/// </summary>
public sealed partial class EveryPageTests
{
    [Fact]
    public async Task No_page_or_endpoint_answers_a_server_error_anonymously_or_signed_in()
    {
        await using var app = new AppFactory();
        var anonymous = app.CreateBrowserLikeClient();
        var signedIn = app.CreateBrowserLikeClient();
        await Owner.SetUpAsync(signedIn);
        var targets = Targets(app.Services);
        Assert.Contains(targets, t => t is { Method: "GET", Path: "/Account/LoginWith2fa" });
        Assert.Contains(targets, t => t is { Method: "POST", Path: "/Account/PasskeyRequestOptions" });
        Assert.Contains(targets, t => t is { Method: "GET", Path: "/api/v2/keys" });

        var failures = new List<string>();
        foreach (var (who, client) in new[] { ("anonymous", anonymous), ("signed in", signedIn) })
        {
            foreach (var (method, path) in targets)
            {
                using var request = new HttpRequestMessage(new HttpMethod(method), path);
                if (method is not ("GET" or "HEAD" or "DELETE" or "OPTIONS"))
                {
                    request.Content = new FormUrlEncodedContent([]);
                }
                using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
                if ((int)response.StatusCode >= 500)
                {
                    failures.Add($"{who}: {method} {path} -> {(int)response.StatusCode}");
                }
            }
        }

        Assert.Empty(failures);
        // The signed-in client really was signed in all along (the crawl must not have signed it out).
        Assert.Equal(HttpStatusCode.OK, (await signedIn.GetAsync("/keys", TestContext.Current.CancellationToken)).StatusCode);
    }

    private static List<(string Method, string Path)> Targets(IServiceProvider services)
    {
        var targets = new List<(string Method, string Path)>
        {
            ("GET", "/"), ("GET", "/api-docs/index.html"), ("GET", "/no-such-page"), ("GET", "/api/no-such-endpoint"),
        };
        targets.AddRange(typeof(Program).Assembly.GetTypes()
            .SelectMany(type => type.GetCustomAttributes<Microsoft.AspNetCore.Components.RouteAttribute>())
            .Select(route => ("GET", Fill(route.Template))));
        foreach (var endpoint in services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>())
        {
            if (endpoint.Metadata.Any(m => m.GetType().Namespace?.StartsWith("Microsoft.AspNetCore.StaticAssets", StringComparison.Ordinal) == true)
                || endpoint.RoutePattern.RawText is not { } pattern)
            {
                continue;
            }
            var methods = endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods is { Count: > 0 } declared ? declared : ["GET"];
            targets.AddRange(methods.Select(method => (method, Fill(pattern))));
        }
        // Leave signing out for last: a signed-in crawl must stay signed in (the POST has no token, so it is refused anyway).
        return targets.Distinct().OrderBy(t => t.Path.Contains("Logout", StringComparison.OrdinalIgnoreCase)).ToList();
    }

    private static string Fill(string template) => "/" + RouteParameter().Replace(template.TrimStart('/'), "1");

    [GeneratedRegex(@"\{[^}]+\}")]
    private static partial Regex RouteParameter();
}
