using KeysDashboard.Access;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Routing;
using Microsoft.JSInterop;
using MudBlazor;

namespace KeysDashboard.Keys.Dashboard;

public sealed partial class KeysPage : IDisposable
{
    [Inject] private KeyList KeyList { get; set; } = default!;
    [Inject] private KeyService Keys { get; set; } = default!;
    [Inject] private Users.DashboardActor DashboardActor { get; set; } = default!;
    [Inject] private IDialogService Dialogs { get; set; } = default!;
    [Inject] private ISnackbar Snackbar { get; set; } = default!;
    [Inject] private TimeProvider Clock { get; set; } = default!;
    [Inject] private NavigationManager Navigation { get; set; } = default!;
    [Inject] private IJSRuntime JS { get; set; } = default!;
    [Inject] private Microsoft.Extensions.Options.IOptions<KeyOptions> Options { get; set; } = default!;

    // The URL is the truth for what is shown (search, filters, sort, page), so a link shows the same view.
    private KeysView view = KeysView.Default;
    private IReadOnlyList<ApiKey>? items;

    // The signed-in person as of the last load: which buttons to show. The services decide for themselves.
    private Actor? actor;
    private bool noAccess;
    private int total;
    private DateTime now;
    private bool filtersOpen;
    private readonly HashSet<string> expandedKeys = [];

    // Element ids to focus after the next render, first one present wins: a closed dialog's opener, its row, the heading.
    private string[]? focusNext;

    // Only the latest load may show its rows: a slow search must not overwrite the answer to the next keystroke.
    private CancellationTokenSource? loading;

    // Guards every action that writes: while one runs, the buttons are disabled and a second click (a double
    // click on regenerate, say) is ignored rather than making a second rotation.
    private bool busy;

    // While a dialog is open the list stays still, so that nothing moves under the admin's cursor.
    private int openDialogs;
    private readonly CancellationTokenSource refreshStop = new();

    // Each dialog puts focus on its first control itself (FocusFirst): the Name field, the first choice, Cancel.
    private static readonly DialogOptions DialogOptions = new() { MaxWidth = MaxWidth.Small, FullWidth = true, DefaultFocus = DefaultFocus.None };

    protected override async Task OnInitializedAsync()
    {
        view = KeysView.Parse(new Uri(Navigation.Uri).Query);
        Navigation.LocationChanged += OnLocationChanged;
        await LoadAsync();
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (firstRender && Options.Value.DashboardRefreshSeconds > 0)
        {
            _ = RefreshPeriodicallyAsync(TimeSpan.FromSeconds(Options.Value.DashboardRefreshSeconds));
        }
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

    /// <summary>Back and forward, or a link to another view of this page: show what the URL now says.</summary>
    private void OnLocationChanged(object? sender, LocationChangedEventArgs e)
    {
        var path = Navigation.ToBaseRelativePath(e.Location).Split('?', '#')[0].TrimEnd('/');
        if (path is not ("" or "keys"))
        {
            // Leaving for another page: this one is about to go, and has nothing to show for that URL.
            return;
        }
        var parsed = KeysView.Parse(new Uri(e.Location).Query);
        // Our own replace of the URL comes back here; a searched secret is left out of the URL, so compare URLs.
        if (parsed.ToUrl() == view.ToUrl())
        {
            return;
        }
        view = parsed;
        _ = InvokeAsync(async () =>
        {
            await LoadAsync();
            StateHasChanged();
        });
    }

    /// <summary>Keeps last-used times and statuses current on an open page, as the API records use.</summary>
    private async Task RefreshPeriodicallyAsync(TimeSpan interval)
    {
        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(refreshStop.Token))
            {
                if (!busy && Volatile.Read(ref openDialogs) == 0)
                {
                    await InvokeAsync(async () =>
                    {
                        await LoadAsync();
                        StateHasChanged();
                    });
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public void Dispose()
    {
        Navigation.LocationChanged -= OnLocationChanged;
        refreshStop.Cancel();
        refreshStop.Dispose();
        loading?.Cancel();
        loading?.Dispose();
    }

    private async Task LoadAsync()
    {
        loading?.Cancel();
        loading?.Dispose();
        var mine = loading = new CancellationTokenSource();
        try
        {
            var asked = view;
            actor = await DashboardActor.GetAsync();
            var page = await KeyList.QueryAsync(asked.ToQuery(), actor, mine.Token);
            if (page.Items.Count == 0 && page.TotalItems > 0 && asked.Page > 0)
            {
                // A shared link to page 9 of what is now 2 pages: show the last page there is.
                asked = asked with { Page = (page.TotalItems - 1) / asked.PageSize };
                page = await KeyList.QueryAsync(asked.ToQuery(), actor, mine.Token);
            }
            if (mine.IsCancellationRequested)
            {
                return;
            }
            now = Clock.GetUtcNow().UtcDateTime;
            view = asked;
            items = page.Items;
            noAccess = false;
            total = page.TotalItems;
        }
        catch (OperationCanceledException) when (mine.IsCancellationRequested)
        {
        }
        catch (AccessDeniedException)
        {
            // A role without keys.view (or a person locked or removed a moment ago): say so, show no keys.
            noAccess = true;
            items = [];
            total = 0;
        }
    }

    /// <summary>Shows <paramref name="changed"/> and puts it in the URL; a new question starts on its first page.</summary>
    private async Task ChangeViewAsync(KeysView changed)
    {
        view = changed.Page == view.Page && changed.PageSize == view.PageSize ? changed.FirstPage() : changed;
        var url = view.ToUrl();
        if (Navigation.ToBaseRelativePath(Navigation.Uri) != url)
        {
            Navigation.NavigateTo(url, replace: true);
        }
        await LoadAsync();
    }

    private Task SearchAsync(string? text) => ChangeViewAsync(view with { Search = string.IsNullOrWhiteSpace(text) ? null : text });

    private Task GoToPageAsync(int page) => ChangeViewAsync(view with { Page = Math.Max(page, 0) });

    private Task SetPageSizeAsync(int size) => ChangeViewAsync(view with { PageSize = size, Page = 0 });

    private void ToggleFilters() => filtersOpen = !filtersOpen;

    private void CloseFilters()
    {
        filtersOpen = false;
        focusNext = ["key-filters"];
    }

    private void ToggleExpanded(string keyId)
    {
        if (!expandedKeys.Remove(keyId))
        {
            expandedKeys.Add(keyId);
        }
    }

    private static string DetailIds(string keyId) =>
        string.Join(' ', new[] { "access", "ips", "expires", "created", "used", "actions" }.Select(part => $"{part}-{keyId}"));

    /// <summary>Each active filter as a chip label and the view without it.</summary>
    private IEnumerable<(string Label, KeysView Without)> ActiveFilters()
    {
        if (view.Status is { } status)
        {
            yield return ($"Status: {status}", view with { Status = null });
        }
        if (view.ReadOnly is { } readOnly)
        {
            yield return (readOnly ? "Read-only" : "Read/write", view with { ReadOnly = null });
        }
        if (view.ExpiringWithinDays is { } days)
        {
            yield return ($"Expiring within {days} days", view with { ExpiringWithinDays = null });
        }
        if (view.Unused is { } unused)
        {
            yield return (unused.Days is { } d ? $"Not used in {d} days" : "Never used", view with { Unused = null });
        }
    }

    private async Task<IDialogReference> ShowDialogAsync<TDialog>(string title, DialogParameters parameters) where TDialog : IComponent
    {
        Interlocked.Increment(ref openDialogs);
        var dialog = await Dialogs.ShowAsync<TDialog>(title, parameters, DialogOptions);
        _ = dialog.Result.ContinueWith(_ => Interlocked.Decrement(ref openDialogs), TaskScheduler.Default);
        return dialog;
    }

    /// <summary>After a dialog or an action, focus goes back where the admin was: the button, else its row, else the heading.</summary>
    private void FocusAfterRender(params string[] ids)
    {
        focusNext = [.. ids, "create-key", "keys-heading"];
        StateHasChanged();
    }

    private async Task CreateAsync()
    {
        var dialog = await ShowDialogAsync<KeyFormDialog>("Create API key", []);
        if (await dialog.Result is { Canceled: false, Data: IssuedKey issued })
        {
            await LoadAsync();
            await RevealAsync(issued, "Your new API key");
        }
        FocusAfterRender("create-key");
    }

    private async Task EditAsync(ApiKey key)
    {
        var parameters = new DialogParameters<KeyFormDialog> { { d => d.Existing, key } };
        var dialog = await ShowDialogAsync<KeyFormDialog>($"Edit {key.Name}", parameters);
        if (await dialog.Result is { Canceled: false, Data: ApiKey saved })
        {
            Snackbar.Add($"Saved {saved.Name}.", Severity.Success);
            await LoadAsync();
        }
        FocusAfterRender($"edit-{key.Id}", $"key-{key.Id}");
    }

    private bool Can(Permission permission) => actor?.Can(permission) == true;

    // Bulk selection: ids with the key as last seen, so a selection spans pages and descriptions and the dry run
    // can name keys that are not on the page in view.
    private readonly Dictionary<string, ApiKey> selected = new(StringComparer.Ordinal);

    private bool CanBulk => Can(Permission.KeysBulkDisable) || Can(Permission.KeysBulkDelete);

    private bool AllOnPageSelected => items is { Count: > 0 } && items.All(k => selected.ContainsKey(k.Id));

    private string RowClass(bool expanded) =>
        (expanded ? "key-row expanded" : "key-row") + (CanBulk ? " selectable" : "");

    private void Select(ApiKey key, bool on)
    {
        if (on)
        {
            selected[key.Id] = key;
        }
        else
        {
            selected.Remove(key.Id);
        }
    }

    private void SelectPage(ChangeEventArgs e)
    {
        foreach (var key in items ?? [])
        {
            Select(key, e.Value is true);
        }
    }

    private void ClearSelection()
    {
        selected.Clear();
        FocusAfterRender("bulk-describe", "keys-heading");
    }

    /// <summary>Describe keys (creator, address range, unused for); the keys that match become the selection.</summary>
    private async Task DescribeAsync()
    {
        var dialog = await ShowDialogAsync<SupportDesk.BulkDescribeDialog>("Select keys by description", []);
        if (await dialog.Result is { Canceled: false, Data: IReadOnlyList<ApiKey> keys })
        {
            selected.Clear();
            foreach (var key in keys)
            {
                selected[key.Id] = key;
            }
            Snackbar.Add(keys.Count == 0 ? "No keys fit that description." : $"{keys.Count} {(keys.Count == 1 ? "key fits" : "keys fit")} that description and {(keys.Count == 1 ? "is" : "are")} selected.",
                keys.Count == 0 ? Severity.Info : Severity.Success);
            FocusAfterRender(keys.Count == 0 ? "bulk-describe" : "bulk-disable", "bulk-delete", "bulk-describe");
            return;
        }
        FocusAfterRender("bulk-describe");
    }

    /// <summary>Dry run first (the count and the keys), then one confirmation with a reason for every key's audit row.</summary>
    private async Task BulkAsync(bool delete)
    {
        var keys = selected.Values.OrderBy(k => k.Name, StringComparer.CurrentCultureIgnoreCase).ToList();
        if (keys.Count == 0)
        {
            return;
        }
        var parameters = new DialogParameters<SupportDesk.BulkConfirmDialog> { { d => d.Keys, keys }, { d => d.Delete, delete } };
        var dialog = await ShowDialogAsync<SupportDesk.BulkConfirmDialog>(delete ? "Delete keys" : "Disable keys", parameters);
        if (await dialog.Result is not { Canceled: false, Data: string reason })
        {
            FocusAfterRender(delete ? "bulk-delete" : "bulk-disable");
            return;
        }
        var done = false;
        await RunAsync(async () =>
        {
            var ids = keys.Select(k => k.Id).ToList();
            var actorNow = await DashboardActor.GetAsync();
            var result = delete ? await Keys.DeleteManyAsync(ids, reason, actorNow) : await Keys.DisableManyAsync(ids, reason, actorNow);
            var verb = delete ? "Deleted" : "Disabled";
            Snackbar.Add(
                $"{verb} {result.Changed.Count} {(result.Changed.Count == 1 ? "key" : "keys")}." +
                (result.Skipped > 0 ? $" {result.Skipped} {(delete ? "were already gone" : "were already disabled or gone")}." : ""),
                Severity.Success);
            done = true;
        });
        if (done)
        {
            selected.Clear();
        }
        FocusAfterRender(done ? "bulk-describe" : delete ? "bulk-delete" : "bulk-disable", "keys-heading");
    }

    private async Task SetEnabledAsync(ApiKey key, bool enabled)
    {
        string? reason = null;
        if (!enabled && !Can(Permission.KeysEnable))
        {
            // Someone who cannot enable the key again says why it stopped, for whoever can.
            var parameters = new DialogParameters<DisableReasonDialog> { { d => d.KeyName, key.Name } };
            var dialog = await ShowDialogAsync<DisableReasonDialog>($"Disable {key.Name}", parameters);
            if (await dialog.Result is not { Canceled: false, Data: string given })
            {
                FocusAfterRender($"toggle-{key.Id}", $"key-{key.Id}");
                return;
            }
            reason = given;
        }
        await RunAsync(async () =>
        {
            var updated = await Keys.SetEnabledAsync(key.Id, enabled, await DashboardActor.GetAsync(), reason: reason);
            Snackbar.Add(
                updated is null ? $"{key.Name} no longer exists." : enabled ? $"Enabled {key.Name}." : $"Disabled {key.Name}. Requests with it are refused from now on.",
                updated is null ? Severity.Warning : Severity.Success);
        });
        // The button turned from Disable into Enable (or back); the admin stays on it, not on the page body.
        FocusAfterRender($"toggle-{key.Id}", $"key-{key.Id}");
    }

    private async Task RegenerateAsync(ApiKey key)
    {
        var parameters = new DialogParameters<RegenerateDialog> { { d => d.KeyName, key.Name } };
        var dialog = await ShowDialogAsync<RegenerateDialog>($"Regenerate {key.Name}", parameters);
        if (await dialog.Result is not { Canceled: false, Data: TimeSpan grace })
        {
            FocusAfterRender($"regenerate-{key.Id}", $"key-{key.Id}");
            return;
        }

        IssuedKey? issued = null;
        await RunAsync(async () =>
        {
            issued = await Keys.RegenerateAsync(key.Id, grace, await DashboardActor.GetAsync());
            if (issued is null)
            {
                Snackbar.Add($"{key.Name} no longer exists.", Severity.Warning);
            }
        });
        if (issued is not null)
        {
            await RevealAsync(issued, $"New secret for {key.Name}");
        }
        FocusAfterRender($"regenerate-{key.Id}", $"key-{key.Id}");
    }

    private async Task DeleteAsync(ApiKey key)
    {
        var parameters = new DialogParameters<ConfirmDeleteDialog> { { d => d.KeyName, key.Name }, { d => d.Masked, key.Masked } };
        var dialog = await ShowDialogAsync<ConfirmDeleteDialog>($"Delete {key.Name}", parameters);
        if (await dialog.Result is { Canceled: false })
        {
            await RunAsync(async () =>
            {
                var deleted = await Keys.DeleteAsync(key.Id, await DashboardActor.GetAsync());
                Snackbar.Add(deleted ? $"Deleted {key.Name}." : $"{key.Name} was already deleted.", deleted ? Severity.Success : Severity.Info);
            });
        }
        FocusAfterRender($"delete-{key.Id}", $"key-{key.Id}");
    }

    private async Task RevealAsync(IssuedKey issued, string title)
    {
        var parameters = new DialogParameters<RevealSecretDialog>
        {
            { d => d.Secret, issued.Secret },
            { d => d.KeyName, issued.Key.Name },
            { d => d.Title, title },
        };
        var dialog = await ShowDialogAsync<RevealSecretDialog>(title, parameters);
        await dialog.Result;
    }

    private async Task RunAsync(Func<Task> action)
    {
        if (busy)
        {
            return;
        }
        busy = true;
        // This often runs after a dialog closed, long after the click handler first yielded, so Blazor would
        // not re-render on its own: show the disabled buttons now, while the work runs.
        StateHasChanged();
        try
        {
            await action();
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
            await LoadAsync();
            StateHasChanged();
        }
    }

    private static Color StatusColor(KeyStatus status) => status switch
    {
        KeyStatus.Enabled => Color.Success,
        KeyStatus.Disabled => Color.Default,
        _ => Color.Error,
    };

    private static string StatusIcon(KeyStatus status) => status switch
    {
        KeyStatus.Enabled => Icons.Material.Filled.CheckCircle,
        KeyStatus.Disabled => Icons.Material.Filled.Block,
        _ => Icons.Material.Filled.EventBusy,
    };
}
