using System.Net;
using KeysDashboard.Tests.Infrastructure;

namespace KeysDashboard.Tests.Hosting;

public sealed class NotFoundPageTests
{
    [Fact]
    public async Task An_unknown_page_answers_404_with_the_not_found_page_and_an_unknown_api_path_with_json()
    {
        await using var app = new AppFactory();
        var client = app.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = false });

        using var page = await client.GetAsync("/no-such-page", TestContext.Current.CancellationToken);
        using var api = await client.GetAsync("/api/no-such-endpoint", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Page not found", await page.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal(HttpStatusCode.NotFound, api.StatusCode);
        Assert.Equal("application/json", api.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_refused_form_post_is_not_dressed_up_as_a_missing_page()
    {
        await using var app = new AppFactory();
        var client = app.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = false });

        // No antiforgery token: refused with 400, which is not "there is nothing at this address".
        using var response = await client.PostAsync("/Account/Logout", new FormUrlEncodedContent([]), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.DoesNotContain("Page not found", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }
}
