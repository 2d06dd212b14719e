using System.Text;
using System.Text.RegularExpressions;
using Deque.AxeCore.Commons;
using KeysDashboard.E2E.Infrastructure;
using KeysDashboard.E2E.Pages;
using static Microsoft.Playwright.Assertions;

namespace KeysDashboard.E2E;

/// <summary>
/// axe on every page and dialog a person meets, at a laptop's width and at phone widths, plus "no sideways scroll"
/// on each. One test per width walks all states on one server and one signed-in session (a server per state would
/// take minutes), collects every problem, and fails once naming each state and width with its violations. A table
/// of violations per state lands in artifacts/e2e/axe-WIDTH.md, and a screenshot of each state beside it.
/// </summary>
public abstract class AccessibilityTests(Viewport viewport) : BrowserSession(viewport)
{
    private const string Email = "owner@example.com";
    private const string Password = "correct horse battery";

    private readonly List<string> failures = [];
    private readonly List<(string State, IReadOnlyList<AxeResultItem>? Violations, string? Problem)> report = [];
    private int step;

    [Fact]
    public async Task Every_page_and_dialog_has_no_axe_violations_and_no_sideways_scroll()
    {
        var keys = new KeysPage(Page);
        var list = new KeyList(Page);
        var nav = new NavigationBar(Page);

        await CheckAsync("setup", async () =>
        {
            await Page.GotoAsync("/");
            await Expect(Page).ToHaveURLAsync(new Regex("/setup$"));
        });
        await new SetupPage(Page).CreateOwnerAsync(Email, Password);
        await CheckAsync("keys-empty", async () =>
        {
            await keys.WaitUntilInteractiveAsync();
            await Expect(keys.EmptyState).ToBeVisibleAsync();
        });

        await SignOutAsync(nav);
        await CheckAsync("sign-in", () => Expect(new LoginPage(Page).Heading).ToBeVisibleAsync());
        await CheckAsync("sign-in-error", async () =>
        {
            await new LoginPage(Page).SignInAsync(Email, "not the password at all");
            await Expect(Page.GetByText("Invalid email or password")).ToBeVisibleAsync();
        });
        await new LoginPage(Page).SignInAsync(Email, Password);
        await keys.WaitUntilInteractiveAsync();

        await CheckAsync("create-dialog", async () =>
        {
            await keys.OpenCreateDialogAsync();
            // The walk makes more keys through the API with this one: it needs keys:manage (issue 8).
            await keys.FillKeyFormAsync(name: "Build server", scopes: KeysPage.ManagingScopes);
        });
        string? secret = null;
        await CheckAsync("reveal-dialog", async () =>
        {
            await keys.SaveKeyFormAsync();
            await Expect(keys.RevealDialog).ToBeVisibleAsync();
            secret = await keys.SecretField.InputValueAsync();
        });
        Assert.True(secret is not null, "The first key could not be created through the dialog; nothing after it can be checked.\n" + string.Join("\n", failures));

        string? mobileSecret = null;
        // Five keys in different states, so that every status chip and the read-only marker are on screen.
        using (var api = new KeysApiClient(App.BaseUrl, secret))
        {
            await api.CreateAsync("Nightly backup", readOnly: true);
            await api.CreateAsync("Partner portal", expiresUtc: DateTime.UtcNow.AddDays(3));
            mobileSecret = await api.CreateAsync("Mobile app");
            await api.CreateAsync("Old CI runner");
        }
        await CheckAsync("keys-5", async () =>
        {
            await keys.GotoAsync();
            await Expect(new KeyList(Page).RowOrTableRow("Old CI runner")).ToBeVisibleAsync();
            await ClickRowActionAsync(list, "Old CI runner", "disable-key");
            await Expect(new KeyList(Page).RowOrTableRow("Old CI runner").GetByTestId("key-status")).ToHaveTextAsync("Disabled");
        });

        await CheckDialogAsync("edit-dialog", keys, list, "edit-key", Page.GetByTestId("key-form-dialog"));
        await CheckDialogAsync("regenerate-dialog", keys, list, "regenerate-key", Page.GetByTestId("regenerate-dialog"));
        await CheckDialogAsync("delete-dialog", keys, list, "delete-key", Page.GetByRole(AriaRole.Dialog));

        await CheckAsync("keys-filters-open", async () =>
        {
            await keys.GotoAsync();
            await list.OpenFiltersAsync();
        });
        await CheckAsync("keys-filtered-by-url", async () =>
        {
            await Page.GotoAsync("/keys?status=disabled");
            await keys.WaitUntilInteractiveAsync();
            await Expect(list.ActiveFilters.First).ToBeVisibleAsync();
        });
        if (Viewport.IsMobile)
        {
            await CheckAsync("keys-card-expanded", async () =>
            {
                await keys.GotoAsync();
                var expand = list.Row("Build server").GetByTestId("key-expand");
                await expand.ClickAsync();
                await Expect(expand).ToHaveAttributeAsync("aria-expanded", "true");
                await Expect(list.Row("Build server").GetByTestId("delete-key")).ToBeVisibleAsync();
            });
            await CheckAsync("nav-drawer-open", async () =>
            {
                await keys.GotoAsync();
                await nav.OpenDrawerAsync();
            });
        }

        await CheckIssue8PagesAsync(keys, mobileSecret);

        await CheckAsync("account-manage", () => GotoAccountPageAsync("/Account/Manage"));
        await CheckAsync("account-change-password", () => GotoAccountPageAsync("/Account/Manage/ChangePassword"));
        await CheckAsync("account-two-factor", () => GotoAccountPageAsync("/Account/Manage/TwoFactorAuthentication"));
        await CheckAsync("account-enable-authenticator", async () =>
        {
            await GotoAccountPageAsync("/Account/Manage/EnableAuthenticator");
            await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Set up an authenticator app" })).ToBeVisibleAsync();
        });
        await CheckAsync("account-passkeys", () => GotoAccountPageAsync("/Account/Manage/Passkeys"));

        // Dark: the system's choice first (no cookie yet), then the toggle, which sets the cookie the static pages follow.
        await Page.EmulateMediaAsync(new() { ColorScheme = ColorScheme.Dark });
        await CheckAsync("keys-dark-system", async () =>
        {
            await keys.GotoAsync();
            await AssertDarkAsync("prefers-color-scheme: dark");
        });
        await Page.EmulateMediaAsync(new() { ColorScheme = ColorScheme.Light });
        await CheckAsync("keys-dark-toggle", async () =>
        {
            await keys.GotoAsync();
            await ToggleThemeToDarkAsync(nav);
            await AssertDarkAsync("the theme-toggle button");
        });
        await CheckAsync("create-dialog-dark", async () =>
        {
            await keys.GotoAsync();
            await AssertDarkAsync("the kd_theme cookie set by theme-toggle");
            await keys.OpenCreateDialogAsync();
        });
        await CheckAsync("account-manage-dark", async () =>
        {
            await GotoAccountPageAsync("/Account/Manage");
            await AssertDarkAsync("the kd_theme cookie set by theme-toggle");
        });
        await CheckAsync("sign-in-dark", async () =>
        {
            await keys.GotoAsync();
            await SignOutAsync(nav);
            await Expect(new LoginPage(Page).Heading).ToBeVisibleAsync();
            await AssertDarkAsync("the kd_theme cookie set by theme-toggle");
        });

        await WriteReportAsync();
        Assert.True(failures.Count == 0,
            $"At {Viewport}, {failures.Count} state(s) failed (table: artifacts/e2e/axe-{Viewport.Name}.md):\n\n" + string.Join("\n", failures));
    }

    /// <summary>Issue 8's pages and dialogs: /users with its invite and link dialogs, /leaked with a result, /audit, and the bulk confirmation.</summary>
    private async Task CheckIssue8PagesAsync(KeysPage keys, string? leakedSecret)
    {
        var users = new UsersPage(Page);
        await CheckAsync("users", users.GotoAsync);
        await CheckAsync("invite-dialog", async () =>
        {
            await users.GotoAsync();
            await users.OpenInviteDialogAsync("new.support@example.com", "Support");
        });
        await CheckAsync("invite-link-dialog", async () =>
        {
            if (!await users.InviteDialog.IsVisibleAsync())
            {
                await users.GotoAsync();
                await users.OpenInviteDialogAsync("new.support@example.com", "Support");
            }
            await users.SaveInviteAndReadLinkAsync();
        });
        if (await users.LinkDialog.IsVisibleAsync())
        {
            await users.CloseLinkDialogAsync();
        }

        var leaked = new LeakedKeyPage(Page);
        await CheckAsync("leaked-result", async () =>
        {
            await leaked.GotoAsync();
            await leaked.CheckAsync(leakedSecret ?? "kd_not-a-key");
            await Expect(leaked.Result).ToBeVisibleAsync();
        });

        await CheckAsync("audit", () => new AuditPage(Page).GotoAsync());

        await CheckAsync("bulk-confirm-dialog", async () =>
        {
            await keys.GotoAsync();
            await Page.GetByTestId("select-key").Nth(0).ClickAsync();
            await Page.GetByTestId("select-key").Nth(1).ClickAsync();
            await Expect(Page.GetByTestId("bulk-bar")).ToBeVisibleAsync();
            await Page.GetByTestId("bulk-disable").ClickAsync();
            await Expect(Page.GetByTestId("bulk-confirm-dialog")).ToBeVisibleAsync();
        });
        await Page.Keyboard.PressAsync("Escape");
    }

    private async Task ClickRowActionAsync(KeyList list, string keyName, string action)
    {
        var button = list.RowOrTableRow(keyName).GetByTestId(action);
        if (!await button.IsVisibleAsync())
        {
            await list.ExpandIfCollapsedAsync(keyName);
        }
        await button.ClickAsync();
    }

    private async Task CheckDialogAsync(string state, KeysPage keys, KeyList list, string action, ILocator dialog)
    {
        await CheckAsync(state, async () =>
        {
            await keys.GotoAsync();
            await ClickRowActionAsync(list, "Build server", action);
            await Expect(dialog).ToBeVisibleAsync();
        });
        await Page.Keyboard.PressAsync("Escape");
    }

    private async Task GotoAccountPageAsync(string path)
    {
        await Page.GotoAsync(path);
        await Expect(Page).ToHaveURLAsync(new Regex(Regex.Escape(path) + "$"));
    }

    private async Task SignOutAsync(NavigationBar nav)
    {
        // On a phone the sign-out button may live in the drawer.
        var signOut = Page.GetByTestId("sign-out");
        if (!await signOut.IsVisibleAsync() && await nav.Toggle.IsVisibleAsync())
        {
            await nav.OpenDrawerAsync();
        }
        try
        {
            await signOut.ClickAsync(new() { Timeout = 5_000 });
        }
        catch (TimeoutException e)
        {
            // Record it and sign out another way, so that the states after it are still measured.
            failures.Add($"[{Viewport}] sign-out: the button cannot be clicked at this width: {string.Join(" ", e.Message.Split('\n').Where(l => l.Contains("outside", StringComparison.Ordinal)).Take(1))}\n");
            await Page.Context.ClearCookiesAsync();
            await Page.GotoAsync("/Account/Login");
        }
        await Expect(new LoginPage(Page).Heading).ToBeVisibleAsync();
    }

    private async Task ToggleThemeToDarkAsync(NavigationBar nav)
    {
        if (!await nav.ThemeToggle.IsVisibleAsync() && await nav.Toggle.IsVisibleAsync())
        {
            await nav.OpenDrawerAsync();
        }
        await Expect(nav.ThemeToggle).ToHaveAttributeAsync("aria-label", new Regex("dark", RegexOptions.IgnoreCase));
        await nav.ThemeToggle.ClickAsync();
        await Expect(nav.ThemeToggle).ToHaveAttributeAsync("aria-label", new Regex("light", RegexOptions.IgnoreCase));
        await Page.Keyboard.PressAsync("Escape");
    }

    /// <summary>Fails unless the page behind the content is dark, so that a "dark" scan is not a light page scanned twice.</summary>
    private async Task AssertDarkAsync(string because)
    {
        var background = await Page.EvaluateAsync<string>("""
            () => {
                let element = document.querySelector('main') ?? document.body;
                while (element) {
                    const colour = getComputedStyle(element).backgroundColor;
                    if (colour && colour !== 'rgba(0, 0, 0, 0)' && colour !== 'transparent') return colour;
                    element = element.parentElement;
                }
                return 'rgb(255, 255, 255)';
            }
            """);
        var channels = Regex.Matches(background, @"[\d.]+").Take(3).Select(m => double.Parse(m.Value, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        var luminance = (0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]) / 255;
        Assert.True(luminance < 0.4, $"Expected a dark page after {because}, but the background behind the content is {background}.");
    }

    /// <summary>Reaches a state, screenshots it, runs axe and the sideways-scroll check, and records what it found.</summary>
    private async Task CheckAsync(string state, Func<Task> reach)
    {
        step++;
        var label = $"[{Viewport}] {state}";
        var screenshot = $"a11y-{Viewport.Name}-{step:00}-{state}";
        try
        {
            await reach();
        }
        catch (Exception e) when (e is PlaywrightException or TimeoutException or Xunit.Sdk.XunitException)
        {
            var problem = "could not reach this state: " + e.Message.Split('\n')[0];
            failures.Add($"{label}: {problem} (screenshot {screenshot}.png)\n");
            report.Add((state, null, problem));
            await ScreenshotAsync(screenshot);
            return;
        }
        await ScreenshotAsync(screenshot);
        var violations = await Axe.ViolationsAsync(Page);
        string? sideways = null;
        if (violations.Count > 0)
        {
            failures.Add(Axe.Describe(label, violations));
        }

        // The whole page must fit the screen's width: a support person on a phone must not scroll sideways.
        var widths = await Page.EvaluateAsync<int[]>("() => [document.documentElement.scrollWidth, window.innerWidth]");
        if (widths[0] > Math.Min(widths[1], Viewport.Width))
        {
            var widest = await Page.EvaluateAsync<string>($$"""
                () => [...document.querySelectorAll('body *')]
                    .filter(e => e.getBoundingClientRect().right > {{Viewport.Width}} + 1)
                    .slice(0, 3)
                    .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + '.' + [...e.classList].join('.') + ' right=' + Math.round(e.getBoundingClientRect().right))
                    .join('; ')
                """);
            sideways = $"scrolls sideways: document is {widths[0]} px wide in a {Viewport.Width} px viewport (innerWidth {widths[1]}); sticking out: {widest}";
            failures.Add($"{label}: {sideways}\n");
        }
        // A container that hides its overflow (a table's scroller, the app bar) cuts content off instead of scrolling
        // the page: at 360 px before issue 7 the key table's status and actions and the app bar's sign-out sat there.
        var cutOff = await Page.EvaluateAsync<string>($$"""
            () => [...document.querySelectorAll('body *')]
                .filter(e => {
                    const r = e.getBoundingClientRect();
                    if (r.width === 0 || r.height === 0 || r.right <= {{Viewport.Width}} + 1) return false;
                    const style = getComputedStyle(e);
                    return style.visibility !== 'hidden' && style.display !== 'none' && e.children.length === 0 && (e.textContent.trim() || e.matches('input,button,svg,img'));
                })
                .slice(0, 4)
                .map(e => (e.closest('[data-testid]')?.getAttribute('data-testid') ?? e.tagName.toLowerCase()) + ' "' + (e.textContent.trim().slice(0, 30)) + '" right=' + Math.round(e.getBoundingClientRect().right))
                .join('; ')
            """);
        if (cutOff.Length > 0 && Viewport.IsMobile)
        {
            var problem = $"content runs past the right edge of the {Viewport.Width} px screen (cut off or in a sideways scroller): {cutOff}";
            failures.Add($"{label}: {problem}\n");
            sideways = sideways is null ? problem : sideways + "; " + problem;
        }
        report.Add((state, violations, sideways));
    }

    private async Task WriteReportAsync()
    {
        var text = new StringBuilder();
        text.AppendLine($"# axe at {Viewport}");
        text.AppendLine();
        text.AppendLine("| State | Violations (id, impact, elements) | Rules | Elements |");
        text.AppendLine("|---|---|---|---|");
        foreach (var (state, violations, problem) in report)
        {
            var found = violations is null ? "" : string.Join("<br>", violations.Select(v => $"{v.Id} ({v.Impact}) ×{v.Nodes.Length}"));
            var cell = problem is null ? (found.Length == 0 ? "none" : found) : (found.Length == 0 ? "" : found + "<br>") + "**" + problem.Replace("|", "\\|") + "**";
            text.AppendLine($"| {state} | {cell} | {violations?.Count.ToString() ?? "–"} | {violations?.Sum(v => v.Nodes.Length).ToString() ?? "–"} |");
        }
        Directory.CreateDirectory(ArtifactsDirectory);
        await File.WriteAllTextAsync(Path.Combine(ArtifactsDirectory, $"axe-{Viewport.Name}.md"), text.ToString());
    }
}

public sealed class LaptopAccessibilityTests() : AccessibilityTests(Viewport.Laptop);

public sealed class Phone360AccessibilityTests() : AccessibilityTests(Viewport.Phone360);

public sealed class Phone390AccessibilityTests() : AccessibilityTests(Viewport.Phone390);
