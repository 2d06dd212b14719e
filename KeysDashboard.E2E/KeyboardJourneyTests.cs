using System.Text.Json;
using System.Text.RegularExpressions;
using KeysDashboard.E2E.Infrastructure;
using KeysDashboard.E2E.Pages;
using static Microsoft.Playwright.Assertions;

namespace KeysDashboard.E2E;

/// <summary>
/// Issue 7's keyboard user: after signing in, no mouse. Tab to Create key, make a key, close the secret, get back to
/// where they were, and disable the new key, with focus landing where the next key press makes sense and a visible
/// focus indicator on every stop along the way.
/// </summary>
public abstract class KeyboardJourneyTests(Viewport viewport) : BrowserSession(viewport)
{
    /// <summary>Search box to the first row's first action: the filter button, a few sort headers, maybe a row expander.</summary>
    private const int MaxStopsFromSearchToFirstRowAction = 10;

    private readonly List<string> invisibleFocus = [];
    private readonly List<string> misplacedFocus = [];

    [Fact]
    public async Task A_keyboard_user_creates_a_key_and_disables_it_with_focus_always_visible_and_in_the_right_place()
    {
        var keys = new KeysPage(Page);
        var list = new KeyList(Page);
        await Page.GotoAsync("/");
        await Expect(Page).ToHaveURLAsync(new Regex("/setup$"));
        await new SetupPage(Page).CreateOwnerAsync("owner@example.com", "correct horse battery");
        await keys.WaitUntilInteractiveAsync();
        // Two keys already there, so that the new one is not simply the only row.
        await keys.OpenCreateDialogAsync();
        await keys.FillKeyFormAsync(name: "Existing one", scopes: KeysPage.ManagingScopes);
        await keys.SaveKeyFormAsync();
        var (secret, _) = await keys.CopySecretAsync();
        await keys.CloseRevealAsync();
        using (var api = new KeysApiClient(App.BaseUrl, secret))
        {
            await api.CreateAsync("Existing two");
        }
        await keys.GotoAsync();
        await Expect(list.RowOrTableRow("Existing two")).ToBeVisibleAsync();

        // From here on: keyboard only.
        await Page.Locator("body").FocusAsync();
        await TabUntilAsync("create-key", "the Create key button", maxStops: 25);
        await Page.Keyboard.PressAsync("Enter");
        await Expect(Page.GetByTestId("key-form-dialog")).ToBeVisibleAsync();
        if (!await FocusIsOnAsync(Page.GetByTestId("key-name"), "the Name field when the create dialog opens"))
        {
            await Page.GetByTestId("key-name").FocusAsync();
        }
        // At a person's pace: the field round-trips to the server as it changes.
        await Page.Keyboard.TypeAsync("Typed by keyboard", new() { Delay = 40 });
        var typed = await Page.GetByTestId("key-name").InputValueAsync();
        if (typed != "Typed by keyboard")
        {
            // Record it and carry on, so that the rest of the journey is measured too.
            misplacedFocus.Add($"Typing into the Name field gave '{typed}', not 'Typed by keyboard': focus left the field while typing.");
            await Page.GetByTestId("key-name").FillAsync("Typed by keyboard");
            await Page.GetByTestId("key-name").FocusAsync();
        }
        await TabUntilAsync("key-save", "the dialog's Save button", maxStops: 15);
        await ScreenshotAsync($"keyboard-{Viewport.Name}-01-save-focused");
        await Page.Keyboard.PressAsync("Enter");

        await Expect(keys.RevealDialog).ToBeVisibleAsync();
        await TabUntilAsync("reveal-done", "the reveal dialog's Done button", maxStops: 10);
        await ScreenshotAsync($"keyboard-{Viewport.Name}-02-reveal-done-focused");
        await Page.Keyboard.PressAsync("Enter");
        await Expect(keys.RevealDialog).ToBeHiddenAsync();
        await FocusIsOnAsync(Page.GetByTestId("create-key"), "the Create key button after the reveal dialog closes");

        // Search box to the first row action: few stops, none of them a grid's "Column options" menu.
        await list.Search.FocusAsync();
        var stops = await TabUntilAsync(null, "the first row's first action", maxStops: 60,
            untilScript: "e => !!e.closest('[data-testid=key-row], tbody tr') && e.matches('button, a, [role=button]')");
        if (stops.Count > MaxStopsFromSearchToFirstRowAction || stops.Any(stop => stop.Contains("Column options", StringComparison.OrdinalIgnoreCase)))
        {
            misplacedFocus.Add($"{stops.Count} Tab stops from the search box to the first row action (at most {MaxStopsFromSearchToFirstRowAction}, " +
                $"no \"Column options\"): {string.Join(" → ", stops)}");
        }

        // To the new key's disable button, forwards or backwards.
        var row = list.RowOrTableRow("Typed by keyboard");
        await Expect(row).ToBeVisibleAsync();
        await TabUntilAsync(null, "the new key's disable button", maxStops: 40,
            untilScript: "e => e.matches('[data-testid=disable-key]') && !!e.closest('[data-testid=key-row], tbody tr')?.textContent.includes('Typed by keyboard')");
        await Page.Keyboard.PressAsync("Enter");
        await Expect(row.GetByTestId("key-status")).ToHaveTextAsync("Disabled");
        await FocusIsOnAsync(row.GetByTestId("enable-key"), "the same key's Enable button after Disable");
        await ScreenshotAsync($"keyboard-{Viewport.Name}-03-disabled-focus-on-enable");

        var problems = misplacedFocus.Concat(invisibleFocus.Count == 0 ? [] :
            [$"{invisibleFocus.Distinct().Count()} Tab stop(s) had no visible focus indicator (no outline, box-shadow or 2px field frame):\n" + string.Join("\n", invisibleFocus.Distinct())]).ToList();
        Assert.True(problems.Count == 0, $"At {Viewport}:\n" + string.Join("\n", problems));
    }

    /// <summary>Records (rather than stops at) focus in the wrong place, so one run reports every focus problem.</summary>
    private async Task<bool> FocusIsOnAsync(ILocator expected, string where)
    {
        try
        {
            await Expect(expected).ToBeFocusedAsync(new() { Timeout = 3_000 });
            return true;
        }
        catch (PlaywrightException)
        {
            var actual = await Page.EvaluateAsync<string>("() => { const e = document.activeElement; return e ? e.tagName.toLowerCase() + ' ' + (e.closest('[data-testid]')?.getAttribute('data-testid') ?? '') + ' \"' + (e.getAttribute('aria-label') || e.textContent || '').trim().slice(0, 40) + '\"' : 'nothing'; }");
            misplacedFocus.Add($"Focus should be on {where}, but is on {actual}.");
            return false;
        }
    }

    /// <summary>
    /// Presses Tab until the focused element has the test id (or matches <paramref name="untilScript"/>), checking each
    /// stop for a visible focus indicator. Fails with the stops it went through if it does not get there.
    /// </summary>
    private async Task<List<string>> TabUntilAsync(string? testId, string what, int maxStops, string? untilScript = null)
    {
        var stops = new List<string>();
        var until = untilScript ?? $"e => e.matches('[data-testid=\"{testId}\"]') || !!e.closest('[data-testid=\"{testId}\"]')";
        for (var i = 0; i < maxStops; i++)
        {
            await Page.Keyboard.PressAsync("Tab");
            var stop = await Page.EvaluateAsync<JsonElement>($$"""
                () => {
                    const e = document.activeElement;
                    if (!e || e === document.body) return { name: '(body)', reached: false, visible: true };
                    const s = getComputedStyle(e);
                    const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0;
                    const shadow = s.boxShadow && s.boxShadow !== 'none';
                    // A MudBlazor text field shows focus on its frame, not on the <input>: a 2px outline border, or the
                    // underline drawn in full.
                    const field = e.closest('.mud-input');
                    const frame = field?.querySelector('.mud-input-outlined-border');
                    const under = field && field.classList.contains('mud-input-underline') ? getComputedStyle(field, '::after') : null;
                    const framed = (frame && parseFloat(getComputedStyle(frame).borderTopWidth) >= 2)
                        || (under && parseFloat(under.borderBottomWidth) >= 2 && under.transform !== 'matrix(0, 0, 0, 1, 0, 0)');
                    const testId = e.closest('[data-testid]')?.getAttribute('data-testid');
                    const label = (e.getAttribute('aria-label') || e.getAttribute('placeholder') || e.textContent || '').trim().slice(0, 40);
                    return {
                        name: e.tagName.toLowerCase() + (testId ? '[' + testId + ']' : '') + ' "' + label + '"',
                        reached: ({{until}})(e),
                        visible: outline || shadow || !!framed,
                        style: 'outline ' + s.outlineStyle + ' ' + s.outlineWidth + ', box-shadow ' + s.boxShadow,
                    };
                }
                """);
            var name = stop.GetProperty("name").GetString()!;
            stops.Add(name);
            if (!stop.GetProperty("visible").GetBoolean())
            {
                invisibleFocus.Add($"  {name}: {stop.GetProperty("style").GetString()}");
            }
            if (stop.GetProperty("reached").GetBoolean())
            {
                return stops;
            }
        }
        await ScreenshotAsync($"keyboard-{Viewport.Name}-lost-before-{what.Replace(' ', '-').Replace("'", "")}");
        Assert.Fail($"At {Viewport}, {maxStops} Tab presses did not reach {what}. Stops: {string.Join(" → ", stops)}");
        return stops;
    }
}

public sealed class LaptopKeyboardJourneyTests() : KeyboardJourneyTests(Viewport.Laptop);

public sealed class Phone360KeyboardJourneyTests() : KeyboardJourneyTests(Viewport.Phone360);
