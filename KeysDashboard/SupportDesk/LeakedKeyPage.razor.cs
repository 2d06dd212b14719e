using KeysDashboard.Access;
using KeysDashboard.Keys;
using KeysDashboard.Keys.Dashboard;
using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;
using MudBlazor;

namespace KeysDashboard.SupportDesk;

/// <summary>
/// The support desk's leaked-key page, made for a phone first: paste a secret, see which key it is, disable it with
/// a reason. The secret lives only in the text field until Check, then only in a local variable for the lookup.
/// </summary>
public sealed partial class LeakedKeyPage
{
    [Inject] private KeyService Keys { get; set; } = default!;
    [Inject] private Users.DashboardActor DashboardActor { get; set; } = default!;
    [Inject] private AccessGuard Guard { get; set; } = default!;
    [Inject] private IDialogService Dialogs { get; set; } = default!;
    [Inject] private ISnackbar Snackbar { get; set; } = default!;
    [Inject] private TimeProvider Clock { get; set; } = default!;
    [Inject] private IJSRuntime JS { get; set; } = default!;
    [Inject] private Microsoft.Extensions.Options.IOptions<KeyOptions> Options { get; set; } = default!;

    private static readonly Dictionary<string, object?> SecretAttributes = new()
    {
        ["data-testid"] = "leaked-secret",
        ["autocomplete"] = "off",
        ["spellcheck"] = "false",
        ["autocapitalize"] = "off",
        ["autocorrect"] = "off",
    };

    private Actor? actor;
    private bool noAccess;
    private string? secret;
    private LeakLookup? lookup;
    private DateTime now;
    private bool busy;
    private bool disabledNow;
    private bool emptyCheck;
    private string[]? focusNext;

    private string Prefix => Options.Value.Prefix;

    protected override async Task OnInitializedAsync()
    {
        actor = await DashboardActor.GetAsync();
        try
        {
            // The guard decides, and records a refusal; the page only shows what it said.
            await Guard.Demand(actor, Permission.KeysLookupLeaked);
        }
        catch (AccessDeniedException)
        {
            noAccess = true;
        }
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (focusNext is { } ids)
        {
            focusNext = null;
            try
            {
                await JS.InvokeAsync<bool>("keysDashboard.focus", [ids]);
            }
            catch (JSDisconnectedException)
            {
            }
        }
    }

    private async Task CheckAsync()
    {
        if (busy)
        {
            return;
        }
        var pasted = secret;
        // Gone from the field and the component before anything else happens, whatever the answer.
        secret = null;
        emptyCheck = string.IsNullOrWhiteSpace(pasted);
        if (emptyCheck)
        {
            return;
        }
        busy = true;
        disabledNow = false;
        try
        {
            actor = await DashboardActor.GetAsync();
            lookup = await Keys.LookupLeakedAsync(pasted, actor);
            now = Clock.GetUtcNow().UtcDateTime;
            focusNext = ["leaked-result-heading"];
        }
        catch (AccessDeniedException denied)
        {
            lookup = null;
            Snackbar.Add(denied.Message, Severity.Error);
        }
        finally
        {
            pasted = null;
            busy = false;
        }
    }

    private async Task DisableAsync()
    {
        if (lookup?.Key is not { } key || busy)
        {
            return;
        }
        var parameters = new DialogParameters<DisableReasonDialog> { { d => d.KeyName, key.Name } };
        var options = new DialogOptions { MaxWidth = MaxWidth.Small, FullWidth = true, DefaultFocus = DefaultFocus.None };
        var dialog = await Dialogs.ShowAsync<DisableReasonDialog>($"Disable {key.Name}", parameters, options);
        if (await dialog.Result is not { Canceled: false, Data: string reason })
        {
            focusNext = ["leaked-disable"];
            StateHasChanged();
            return;
        }

        busy = true;
        StateHasChanged();
        try
        {
            actor = await DashboardActor.GetAsync();
            var updated = await Keys.SetEnabledAsync(key.Id, false, actor, reason: reason);
            if (updated is null)
            {
                Snackbar.Add($"{key.Name} no longer exists.", Severity.Warning);
            }
            else
            {
                lookup = lookup with { Key = updated };
                disabledNow = true;
            }
        }
        catch (AccessDeniedException denied)
        {
            Snackbar.Add(denied.Message, Severity.Error);
        }
        catch (KeyValidationException invalid)
        {
            Snackbar.Add(string.Join(" ", invalid.Errors.SelectMany(e => e.Value)), Severity.Error);
        }
        finally
        {
            busy = false;
            now = Clock.GetUtcNow().UtcDateTime;
            focusNext = ["leaked-result-heading"];
            StateHasChanged();
        }
    }

    private static string OutcomeTitle(LeakLookupOutcome outcome) => outcome switch
    {
        LeakLookupOutcome.NotAKey => "Not one of our keys",
        LeakLookupOutcome.Mistyped => "Mistyped",
        _ => "No such key",
    };

    private static string OutcomeText(LeakLookupOutcome outcome) => outcome switch
    {
        LeakLookupOutcome.NotAKey => "This is not a KeysDashboard key.",
        LeakLookupOutcome.Mistyped => "This looks mistyped: the checksum does not match.",
        _ => "No key has this secret (deleted, or replaced by a regenerate).",
    };
}
