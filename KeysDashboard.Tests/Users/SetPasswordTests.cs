using System.Net;
using KeysDashboard.Access;
using KeysDashboard.Audit;
using KeysDashboard.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace KeysDashboard.Tests.Users;

/// <summary>The set-password link: works once, for 24 hours, never echoes the password, and a dead link does nothing.</summary>
public sealed class SetPasswordTests : IAsyncLifetime
{
    private readonly FakeTimeProvider clock = new(DateTimeOffset.UtcNow);
    private readonly AppFactory app;
    private Actor owner = default!;

    public SetPasswordTests() => app = People.App(services: services => services.AddSingleton<TimeProvider>(clock));

    public async ValueTask InitializeAsync()
    {
        await Owner.SetUpAsync(app.CreateBrowserLikeClient());
        owner = await People.OwnerAsync(app);
    }

    public ValueTask DisposeAsync() => app.DisposeAsync();

    [Fact]
    public async Task The_link_sets_the_password_once_then_the_person_signs_in()
    {
        var invitation = await People.InviteAsync(app, owner, "new@example.com", "Support");
        var browser = app.CreateBrowserLikeClient();

        var page = await (await browser.GetAsync(People.PathOf(invitation.Link))).Content.ReadAsStringAsync();
        Assert.Contains("new@example.com", page);
        Assert.Contains("data-testid=\"set-password-submit\"", page);
        var set = await People.SetPasswordAsync(browser, invitation.Link);

        Assert.Equal(HttpStatusCode.Redirect, set.StatusCode);
        Assert.EndsWith("/Account/Login", set.Headers.Location?.OriginalString);
        var login = await browser.GetStringAsync("/Account/Login");
        Assert.Contains("Your password is set.", login);
        var signIn = await Owner.SignInAsync(app.CreateBrowserLikeClient(), "new@example.com", People.Password);
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        Assert.DoesNotContain("Account", signIn.Headers.Location?.OriginalString);
        var audit = Assert.Single(await People.AuditAsync(app, AuditActions.UserPasswordSet));
        Assert.Equal((invitation.User.Id, invitation.User.Id, "new@example.com"), (audit.ActorId, audit.TargetId, audit.TargetName));

        // Once: the same link again, opened or posted, is dead and changes nothing.
        var reopened = await (await app.CreateBrowserLikeClient().GetAsync(People.PathOf(invitation.Link))).Content.ReadAsStringAsync();
        Assert.Contains("This set-password link is not valid", reopened);
        Assert.DoesNotContain("set-password-submit", reopened);
        var hashBefore = (await People.FindAsync(app, "new@example.com"))!.PasswordHash;
        var replay = await browser.PostAsync(People.PathOf(invitation.Link), await FormPost.PrepareAsync(browser, "/Account/Login", "set-password",
            new Dictionary<string, string> { ["Input.Password"] = "another password entirely", ["Input.ConfirmPassword"] = "another password entirely" }));
        Assert.NotEqual(HttpStatusCode.Redirect, replay.StatusCode);
        Assert.Equal(hashBefore, (await People.FindAsync(app, "new@example.com"))!.PasswordHash);
        Assert.Single(await People.AuditAsync(app, AuditActions.UserPasswordSet));
    }

    [Fact]
    public async Task The_link_lasts_exactly_24_hours()
    {
        Assert.Equal(TimeSpan.FromHours(24), app.Services.GetRequiredService<IOptions<DataProtectionTokenProviderOptions>>().Value.TokenLifespan);
        var early = await People.InviteAsync(app, owner, "early@example.com", "Support");
        var late = await People.InviteAsync(app, owner, "late@example.com", "Support");

        clock.Advance(TimeSpan.FromHours(24) - TimeSpan.FromMinutes(1));
        Assert.Equal(HttpStatusCode.Redirect, (await People.SetPasswordAsync(app.CreateBrowserLikeClient(), early.Link)).StatusCode);

        clock.Advance(TimeSpan.FromMinutes(2));
        var browser = app.CreateBrowserLikeClient();
        Assert.Contains("This set-password link is not valid", await browser.GetStringAsync(People.PathOf(late.Link)));
        // A post anyway (with a form token from another page) does nothing either.
        var expired = await browser.PostAsync(People.PathOf(late.Link), await FormPost.PrepareAsync(browser, "/Account/Login", "set-password",
            new Dictionary<string, string> { ["Input.Password"] = People.Password, ["Input.ConfirmPassword"] = People.Password }));
        Assert.NotEqual(HttpStatusCode.Redirect, expired.StatusCode);
        Assert.Null((await People.FindAsync(app, "late@example.com"))!.PasswordHash);
    }

    [Fact]
    public async Task Locking_the_person_kills_their_unused_link()
    {
        var invitation = await People.InviteAsync(app, owner, "new@example.com", "Support");
        await People.UsersAsync(app, users => users.LockAsync(invitation.User.Id, owner));

        var page = await app.CreateBrowserLikeClient().GetStringAsync(People.PathOf(invitation.Link));

        Assert.Contains("This set-password link is not valid", page);
    }

    [Theory]
    [InlineData("/Account/SetPassword")]
    [InlineData("/Account/SetPassword?userId=nobody&code=abc")]
    [InlineData("/Account/SetPassword?userId=x&code=%%%")]
    [InlineData("/Account/SetPassword?code=")]
    public async Task A_broken_link_says_so_and_offers_no_form(string path)
    {
        var response = await app.CreateBrowserLikeClient().GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("This set-password link is not valid", html);
        Assert.DoesNotContain("Input.Password", html);
    }

    [Fact]
    public async Task A_rejected_password_is_not_echoed_and_the_link_still_works()
    {
        var invitation = await People.InviteAsync(app, owner, "new@example.com", "Support");
        var browser = app.CreateBrowserLikeClient();

        var tooShort = await People.SetPasswordAsync(browser, invitation.Link, "short-Pw-9");
        var html = await tooShort.Content.ReadAsStringAsync();
        var mismatch = await FormPost.SubmitAsync(browser, People.PathOf(invitation.Link), "set-password",
            new Dictionary<string, string> { ["Input.Password"] = "first long password", ["Input.ConfirmPassword"] = "second long password" });
        var mismatchHtml = await mismatch.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, tooShort.StatusCode);
        Assert.Contains("at least 12 characters", html);
        Assert.DoesNotContain("short-Pw-9", html);
        Assert.DoesNotContain("first long password", mismatchHtml);
        Assert.DoesNotContain("second long password", mismatchHtml);
        Assert.Equal(HttpStatusCode.Redirect, (await People.SetPasswordAsync(browser, invitation.Link)).StatusCode);
    }
}
