using System.Net;
using KeysDashboard.Setup;
using KeysDashboard.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace KeysDashboard.Tests.Setup;

public sealed class SetupTests
{
    [Fact]
    public async Task A_fresh_install_sends_visitors_to_setup()
    {
        await using var app = new AppFactory();
        var client = app.CreateBrowserLikeClient();

        var login = await client.GetAsync("/Account/Login");

        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        Assert.Equal("/setup", login.Headers.Location?.OriginalString);
        var setup = await client.GetStringAsync("/setup");
        Assert.Contains("Create the owner account", setup);
    }

    [Fact]
    public async Task Setup_creates_an_admin_owner_signs_them_in_and_then_is_gone()
    {
        await using var app = new AppFactory();
        var client = app.CreateBrowserLikeClient();

        var created = await Owner.SetUpAsync(client);

        Assert.Equal(HttpStatusCode.Redirect, created.StatusCode);
        Assert.EndsWith("keys", created.Headers.Location?.OriginalString);
        var keysPage = await client.GetAsync("/keys");
        Assert.Equal(HttpStatusCode.OK, keysPage.StatusCode);

        var roles = await app.WithServiceAsync<IList<string>, UserManager<Data.ApplicationUser>>(async users =>
            await users.GetRolesAsync((await users.FindByEmailAsync(Owner.Email))!));
        Assert.Equal([OwnerSetup.AdminRole], roles);

        var anonymous = app.CreateBrowserLikeClient();
        var again = await anonymous.GetAsync("/setup");
        Assert.Equal(HttpStatusCode.Redirect, again.StatusCode);
        Assert.Contains("Account/Login", again.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task A_second_setup_post_never_makes_a_second_account()
    {
        await using var app = new AppFactory();
        var first = app.CreateBrowserLikeClient();
        var second = app.CreateBrowserLikeClient();
        // Both load the form while setup is still open, then post one after the other: the second post carries the
        // valid antiforgery token of its own form, as a second browser tab would, so only setup itself can refuse it.
        var secondForm = await second.GetAsync("/setup");
        Assert.Equal(HttpStatusCode.OK, secondForm.StatusCode);
        var secondToken = FormPost.AntiforgeryTokenIn(await secondForm.Content.ReadAsStringAsync());

        await Owner.SetUpAsync(first);
        var intruder = await second.PostAsync("/setup", SetupForm("intruder@example.com", secondToken));

        // Past antiforgery, the closed setup page sends the visitor to sign-in instead of rendering its form.
        Assert.DoesNotContain("antiforgery", await intruder.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
        Assert.NotEqual(HttpStatusCode.OK, intruder.StatusCode);
        Assert.EndsWith("/Account/Login", intruder.Headers.Location?.OriginalString);
        Assert.Equal(1, await app.WithDbAsync(db => db.Users.CountAsync()));
        Assert.Null(await app.WithDbAsync(db => db.Users.FirstOrDefaultAsync(u => u.Email == "intruder@example.com")));
    }

    [Fact]
    public async Task A_setup_post_without_an_antiforgery_token_is_refused_while_setup_is_open()
    {
        await using var app = new AppFactory();
        var client = app.CreateBrowserLikeClient();
        await client.GetAsync("/setup");

        var forged = await client.PostAsync("/setup", SetupForm("forged@example.com", token: null));

        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Contains("antiforgery", await forged.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(0, await app.WithDbAsync(db => db.Users.CountAsync()));
    }

    [Fact]
    public async Task Racing_setups_make_exactly_one_owner()
    {
        await using var app = new AppFactory();

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            app.WithServiceAsync<OwnerSetupResult, OwnerSetup>(setup =>
                setup.CreateOwnerAsync($"racer{i}@example.com", "a long enough password", null))));

        Assert.Single(results.OfType<OwnerSetupResult.Created>());
        Assert.Equal(1, await app.WithDbAsync(db => db.Users.CountAsync()));
        Assert.Equal(1, await app.WithDbAsync(db => db.InstallationOwners.CountAsync()));
    }

    [Fact]
    public async Task Setup_refuses_a_short_password_and_keeps_the_form()
    {
        await using var app = new AppFactory();
        var client = app.CreateBrowserLikeClient();

        var response = await Owner.SetUpAsync(client, password: "too short");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("at least 12 characters", await response.Content.ReadAsStringAsync());
        Assert.Equal(0, await app.WithDbAsync(db => db.Users.CountAsync()));
    }

    [Theory]
    [InlineData("owner@example.com", "Echo-5d1x", "Echo-5d1x")]
    [InlineData("owner@example.com", "Long-Enough-Echo-8e20", "Different-Echo-3f7c")]
    [InlineData("not an email", "Long-Enough-Echo-8e20", "Long-Enough-Echo-8e20")]
    public async Task A_rejected_setup_form_never_sends_a_password_back(string email, string password, string confirmation)
    {
        await using var app = new AppFactory();
        var client = app.CreateBrowserLikeClient();

        var response = await FormPost.SubmitAsync(client, "/setup", "setup", new Dictionary<string, string>
        {
            ["Input.Email"] = email,
            ["Input.Password"] = password,
            ["Input.ConfirmPassword"] = confirmation,
        });

        var html = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Create the owner account", html);
        Assert.Contains("mud-input-error", html);
        // The cursor goes to the first field to fix, and only there.
        var focused = Assert.Single(System.Text.RegularExpressions.Regex.Matches(html, "<input[^>]*autofocus[^>]*>"));
        Assert.Contains("aria-invalid=\"true\"", focused.Value);
        Assert.DoesNotContain(password, html);
        Assert.DoesNotContain(confirmation, html);
        Assert.Equal(0, await app.WithDbAsync(db => db.Users.CountAsync()));
    }

    [Fact]
    public async Task Bootstrap_settings_create_the_owner_at_start()
    {
        await using var app = new AppFactory(new Dictionary<string, string?>
        {
            ["Bootstrap:AdminEmail"] = "ops@example.com",
            ["Bootstrap:AdminPassword"] = "from the environment",
        });
        var client = app.CreateBrowserLikeClient();

        var signIn = await Owner.SignInAsync(client, "ops@example.com", "from the environment");

        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        Assert.DoesNotContain("Login", signIn.Headers.Location?.OriginalString);
        Assert.Equal(1, await app.WithDbAsync(db => db.InstallationOwners.CountAsync()));
    }

    private static FormUrlEncodedContent SetupForm(string email, string? token)
    {
        var fields = new Dictionary<string, string>
        {
            ["_handler"] = "setup",
            ["Input.Email"] = email,
            ["Input.Password"] = Owner.Password,
            ["Input.ConfirmPassword"] = Owner.Password,
        };
        if (token is not null)
        {
            fields["__RequestVerificationToken"] = token;
        }
        return new FormUrlEncodedContent(fields);
    }
}
