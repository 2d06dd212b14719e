using System.Net;
using KeysDashboard.Data;
using KeysDashboard.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;

namespace KeysDashboard.Tests.Users;

public sealed class SignInTests : IAsyncLifetime
{
    private readonly AppFactory app = new();

    public async ValueTask InitializeAsync() => await Owner.SetUpAsync(app.CreateBrowserLikeClient());

    public ValueTask DisposeAsync() => app.DisposeAsync();

    [Fact]
    public async Task Anonymous_visitors_are_sent_to_sign_in()
    {
        var client = app.CreateBrowserLikeClient();

        var response = await client.GetAsync("/keys");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Contains("/Account/Login", response.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task The_owner_signs_in_and_sees_the_keys_page()
    {
        var client = app.CreateBrowserLikeClient();

        var signIn = await Owner.SignInAsync(client);
        var keys = await client.GetAsync("/keys");

        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        Assert.Equal(HttpStatusCode.OK, keys.StatusCode);
        Assert.Contains("API keys", await keys.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task An_unknown_email_and_a_wrong_password_get_the_same_message()
    {
        var wrongPassword = await (await Owner.SignInAsync(app.CreateBrowserLikeClient(), password: "not the password!")).Content.ReadAsStringAsync();
        var unknownEmail = await (await Owner.SignInAsync(app.CreateBrowserLikeClient(), email: "nobody@example.com")).Content.ReadAsStringAsync();

        Assert.Contains("Invalid email or password.", wrongPassword);
        Assert.Contains("Invalid email or password.", unknownEmail);
    }

    [Fact]
    public async Task Five_failed_attempts_lock_the_account_even_for_the_right_password()
    {
        for (var attempt = 1; attempt <= 4; attempt++)
        {
            await Owner.SignInAsync(app.CreateBrowserLikeClient(), password: $"wrong password {attempt}");
            var failures = await app.WithServiceAsync<int, UserManager<ApplicationUser>>(async users =>
                await users.GetAccessFailedCountAsync((await users.FindByEmailAsync(Owner.Email))!));
            Assert.Equal(attempt, failures);
        }
        var fifth = await Owner.SignInAsync(app.CreateBrowserLikeClient(), password: "wrong password 5");

        var rightPassword = await Owner.SignInAsync(app.CreateBrowserLikeClient());

        Assert.Contains("Account/Lockout", fifth.Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.Redirect, rightPassword.StatusCode);
        Assert.Contains("Account/Lockout", rightPassword.Headers.Location?.OriginalString);
        var lockedOut = await app.WithServiceAsync<bool, UserManager<ApplicationUser>>(async users =>
            await users.IsLockedOutAsync((await users.FindByEmailAsync(Owner.Email))!));
        Assert.True(lockedOut);
    }

    [Fact]
    public async Task After_sign_out_the_old_cookie_no_longer_signs_in()
    {
        var client = app.CreateBrowserLikeClient();
        var signIn = await Owner.SignInAsync(client);
        var cookie = signIn.Headers.GetValues("Set-Cookie")
            .Select(c => c.Split(';')[0])
            .Single(c => c.StartsWith(".AspNetCore.Identity.Application=", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.OK, (await Replay(cookie)).StatusCode);

        var signOut = await FormPost.SubmitAsync(client, "/keys", "", new Dictionary<string, string> { ["ReturnUrl"] = "" }, action: "/Account/Logout");

        Assert.Equal(HttpStatusCode.Redirect, signOut.StatusCode);
        var replayed = await Replay(cookie);
        Assert.Equal(HttpStatusCode.Redirect, replayed.StatusCode);
        Assert.Contains("/Account/Login", replayed.Headers.Location?.OriginalString);
    }

    private async Task<HttpResponseMessage> Replay(string cookie)
    {
        var stranger = app.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = false });
        var request = new HttpRequestMessage(HttpMethod.Get, "/keys");
        request.Headers.Add("Cookie", cookie);
        return await stranger.SendAsync(request);
    }
}
