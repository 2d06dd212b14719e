using System.Net;
using KeysDashboard.Tests.Infrastructure;

namespace KeysDashboard.Tests.Users;

/// <summary>The template's sign-in pages given what an attacker or a stale bookmark sends: never a 500, never off-site.</summary>
public sealed class AccountPageCornerTests : IAsyncLifetime
{
    private static readonly Uri Site = new("http://localhost/");
    private readonly AppFactory app = new();

    public async ValueTask InitializeAsync() => await Owner.SetUpAsync(app.CreateBrowserLikeClient());

    public ValueTask DisposeAsync() => app.DisposeAsync();

    [Theory]
    [InlineData("https://evil.example/")]
    [InlineData("//evil.example")]
    [InlineData("/\\evil.example")]
    [InlineData("\\\\evil.example")]
    [InlineData("javascript:alert(1)")]
    [InlineData("http://localhost.evil.example/keys")]
    public async Task A_correct_sign_in_with_a_hostile_return_url_signs_in_and_stays_on_this_site(string returnUrl)
    {
        var client = app.CreateBrowserLikeClient();

        var signIn = await Owner.SignInAsync(client, path: "/Account/Login?ReturnUrl=" + Uri.EscapeDataString(returnUrl));

        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        var target = new Uri(Site, signIn.Headers.Location!);
        Assert.Equal(Site.Authority, target.Authority);
        Assert.Equal(Uri.UriSchemeHttp, target.Scheme);
        Assert.Equal("/", target.AbsolutePath);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/keys")).StatusCode);
    }

    [Theory]
    [InlineData("/keys", "/keys")]
    [InlineData("keys", "/keys")]
    [InlineData("http://localhost/Account/Manage", "/Account/Manage")]
    public async Task A_local_return_url_is_still_followed(string returnUrl, string expectedPath)
    {
        var client = app.CreateBrowserLikeClient();

        var signIn = await Owner.SignInAsync(client, path: "/Account/Login?ReturnUrl=" + Uri.EscapeDataString(returnUrl));

        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        Assert.Equal(expectedPath, new Uri(Site, signIn.Headers.Location!).AbsolutePath);
    }

    [Theory]
    [InlineData("/Account/LoginWith2fa")]
    [InlineData("/Account/LoginWithRecoveryCode")]
    public async Task Two_factor_pages_without_the_password_step_send_the_visitor_to_sign_in(string path)
    {
        var client = app.CreateBrowserLikeClient();

        var response = await client.GetAsync(path);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/Account/Login", new Uri(Site, response.Headers.Location!).AbsolutePath);
    }

    [Theory]
    [InlineData("/Account/PasskeyCreationOptions")]
    [InlineData("/Account/PasskeyRequestOptions")]
    public async Task Passkey_options_without_an_antiforgery_token_are_a_bad_request(string path)
    {
        var anonymous = app.CreateBrowserLikeClient();
        var signedIn = app.CreateBrowserLikeClient();
        await Owner.SignInAsync(signedIn);

        Assert.Equal(HttpStatusCode.BadRequest, (await anonymous.PostAsync(path, null)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await signedIn.PostAsync(path, null)).StatusCode);
    }

    [Theory]
    [InlineData("https://evil.example/")]
    [InlineData("//evil.example")]
    [InlineData("/\\evil.example")]
    [InlineData("javascript:alert(1)")]
    [InlineData("")]
    public async Task Signing_out_with_a_foreign_return_url_lands_on_home(string returnUrl)
    {
        var client = app.CreateBrowserLikeClient();
        await Owner.SignInAsync(client);

        var signOut = await FormPost.SubmitAsync(client, "/keys", "", new Dictionary<string, string> { ["ReturnUrl"] = returnUrl },
            action: "/Account/Logout");

        Assert.Equal(HttpStatusCode.Redirect, signOut.StatusCode);
        var target = new Uri(Site, signOut.Headers.Location!);
        Assert.Equal(Site.Authority, target.Authority);
        Assert.Equal("/", target.AbsolutePath);
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/keys")).StatusCode);
    }

    [Fact]
    public async Task Signing_out_from_a_page_returns_to_that_page()
    {
        var client = app.CreateBrowserLikeClient();
        await Owner.SignInAsync(client);

        var signOut = await FormPost.SubmitAsync(client, "/keys", "", new Dictionary<string, string> { ["ReturnUrl"] = "keys" },
            action: "/Account/Logout");

        Assert.Equal("/keys", new Uri(Site, signOut.Headers.Location!).AbsolutePath);
    }
}
