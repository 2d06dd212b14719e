using Microsoft.AspNetCore.Components;
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
    [Inject] private Microsoft.Extensions.Options.IOptions<KeyOptions> Options { get; set; } = default!;

    private MudDataGrid<ApiKey> grid = default!;
    private string? search;
    private DateTime now;

    // Guards every action that writes: while one runs, the buttons are disabled and a second click (a double
    // click on regenerate, say) is ignored rather than making a second rotation.
    private bool busy;

    // While a dialog is open the grid stays still, so that nothing moves under the admin's cursor.
    private int openDialogs;
    private readonly CancellationTokenSource refreshStop = new();

    private static readonly DialogOptions DialogOptions = new() { MaxWidth = MaxWidth.Small, FullWidth = true };

    protected override void OnAfterRender(bool firstRender)
    {
        if (firstRender && Options.Value.DashboardRefreshSeconds > 0)
        {
            _ = RefreshPeriodicallyAsync(TimeSpan.FromSeconds(Options.Value.DashboardRefreshSeconds));
        }
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
                    await InvokeAsync(grid.ReloadServerData);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public void Dispose()
    {
        refreshStop.Cancel();
        refreshStop.Dispose();
    }

    private async Task<IDialogReference> ShowDialogAsync<TDialog>(string title, DialogParameters parameters) where TDialog : IComponent
    {
        Interlocked.Increment(ref openDialogs);
        var dialog = await Dialogs.ShowAsync<TDialog>(title, parameters, DialogOptions);
        _ = dialog.Result.ContinueWith(_ => Interlocked.Decrement(ref openDialogs), TaskScheduler.Default);
        return dialog;
    }

    private async Task<GridData<ApiKey>> LoadAsync(GridState<ApiKey> state, CancellationToken cancellationToken)
    {
        now = Clock.GetUtcNow().UtcDateTime;
        var sort = state.SortDefinitions.FirstOrDefault();
        var query = new KeyListQuery(
            Search: search,
            SortBy: sort?.SortBy switch
            {
                nameof(ApiKey.Name) => KeySort.Name,
                nameof(ApiKey.ExpiresAt) => KeySort.Expires,
                nameof(ApiKey.LastUsedAt) => KeySort.LastUsed,
                nameof(ApiKey.Enabled) => KeySort.Status,
                _ => KeySort.Created,
            },
            Descending: sort?.Descending ?? true,
            Page: state.Page,
            PageSize: state.PageSize);
        var page = await KeyList.QueryAsync(query, cancellationToken);
        return new GridData<ApiKey> { Items = page.Items, TotalItems = page.TotalItems };
    }

    private async Task SearchAsync(string? text)
    {
        search = text;
        await grid.ReloadServerData();
    }

    private async Task CreateAsync()
    {
        var dialog = await ShowDialogAsync<KeyFormDialog>("Create API key", []);
        if (await dialog.Result is { Canceled: false, Data: IssuedKey issued })
        {
            await grid.ReloadServerData();
            await RevealAsync(issued, "Your new API key");
        }
    }

    private async Task EditAsync(ApiKey key)
    {
        var parameters = new DialogParameters<KeyFormDialog> { { d => d.Existing, key } };
        var dialog = await ShowDialogAsync<KeyFormDialog>($"Edit {key.Name}", parameters);
        if (await dialog.Result is { Canceled: false, Data: ApiKey saved })
        {
            Snackbar.Add($"Saved {saved.Name}.", Severity.Success);
            await grid.ReloadServerData();
        }
    }

    private Task SetEnabledAsync(ApiKey key, bool enabled) => RunAsync(async () =>
    {
        var updated = await Keys.SetEnabledAsync(key.Id, enabled, await DashboardActor.GetAsync());
        Snackbar.Add(
            updated is null ? $"{key.Name} no longer exists." : enabled ? $"Enabled {key.Name}." : $"Disabled {key.Name}. Requests with it are refused from now on.",
            updated is null ? Severity.Warning : Severity.Success);
    });

    private async Task RegenerateAsync(ApiKey key)
    {
        var parameters = new DialogParameters<RegenerateDialog> { { d => d.KeyName, key.Name } };
        var dialog = await ShowDialogAsync<RegenerateDialog>($"Regenerate {key.Name}", parameters);
        if (await dialog.Result is not { Canceled: false, Data: TimeSpan grace })
        {
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
    }

    private async Task DeleteAsync(ApiKey key)
    {
        var parameters = new DialogParameters<ConfirmDeleteDialog> { { d => d.KeyName, key.Name }, { d => d.Masked, key.Masked } };
        var dialog = await ShowDialogAsync<ConfirmDeleteDialog>($"Delete {key.Name}", parameters);
        if (await dialog.Result is not { Canceled: false })
        {
            return;
        }

        await RunAsync(async () =>
        {
            var deleted = await Keys.DeleteAsync(key.Id, await DashboardActor.GetAsync());
            Snackbar.Add(deleted ? $"Deleted {key.Name}." : $"{key.Name} was already deleted.", deleted ? Severity.Success : Severity.Info);
        });
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
        finally
        {
            busy = false;
            await grid.ReloadServerData();
        }
    }

    private static Color StatusColor(KeyStatus status) => status switch
    {
        KeyStatus.Enabled => Color.Success,
        KeyStatus.Disabled => Color.Default,
        _ => Color.Error,
    };

    private static string Format(DateTime? time) => time?.ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture) ?? "";
}
