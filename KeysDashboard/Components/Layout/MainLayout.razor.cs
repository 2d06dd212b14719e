using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Routing;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.JSInterop;
using MudBlazor;

namespace KeysDashboard.Components.Layout;

public sealed partial class MainLayout
{
    [Inject] private NavigationManager NavigationManager { get; set; } = default!;
    [Inject] private IJSRuntime JS { get; set; } = default!;
    [Inject] private IHttpContextAccessor HttpContextAccessor { get; set; } = default!;

    /// <summary>
    /// The kd_theme cookie ("light", "dark" or null to follow the system), read while prerendering and carried into
    /// the interactive circuit, so the first paint already has the chosen theme.
    /// </summary>
    [PersistentState]
    public string? ThemeChoice { get; set; }

    /// <summary>The browser's prefers-color-scheme as its client hint told the prerender, when it did.</summary>
    [PersistentState]
    public bool? SystemPrefersDark { get; set; }

    private MudThemeProvider? themeProvider;
    private MudIconButton? navToggle;
    private ElementReference drawerContent;
    private bool isDarkMode;
    private bool drawerOpen;
    private bool focusDrawer;
    private string? currentUrl;
    private bool interactive;

    protected override void OnInitialized()
    {
        if (!RendererInfo.IsInteractive && HttpContextAccessor.HttpContext is { } http)
        {
            ThemeChoice = ThemeCookie.Read(http.Request);
            SystemPrefersDark = SystemColorScheme.PrefersDark(http.Request);
        }
        isDarkMode = ThemeChoice is null ? SystemPrefersDark == true : ThemeChoice == ThemeCookie.Dark;
        currentUrl = NavigationManager.ToBaseRelativePath(NavigationManager.Uri);
        NavigationManager.LocationChanged += OnLocationChanged;
    }

    private void OnLocationChanged(object? sender, LocationChangedEventArgs e)
    {
        currentUrl = NavigationManager.ToBaseRelativePath(e.Location);
        drawerOpen = false;
        _ = InvokeAsync(StateHasChanged);
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (firstRender)
        {
            interactive = true;
            if (ThemeChoice is null)
            {
                // Not carried over from the prerender (a re-executed 404 page persists no state): ask the browser.
                ThemeChoice = ThemeCookie.Parse(await JS.InvokeAsync<string?>("keysDashboard.getTheme"));
                isDarkMode = ThemeChoice == ThemeCookie.Dark;
            }
            if (ThemeChoice is null && themeProvider is not null)
            {
                isDarkMode = await themeProvider.GetSystemDarkModeAsync();
                await themeProvider.WatchSystemDarkModeAsync(OnSystemDarkModeChanged);
            }
            StateHasChanged();
        }
        if (focusDrawer)
        {
            focusDrawer = false;
            await drawerContent.FocusAsync();
        }
    }

    private Task OnSystemDarkModeChanged(bool dark)
    {
        // A choice made with the toggle outlasts the system setting.
        if (ThemeChoice is null)
        {
            isDarkMode = dark;
            StateHasChanged();
        }
        return Task.CompletedTask;
    }

    private async Task ToggleThemeAsync()
    {
        isDarkMode = !isDarkMode;
        ThemeChoice = isDarkMode ? ThemeCookie.Dark : ThemeCookie.Light;
        await JS.InvokeVoidAsync("keysDashboard.setTheme", ThemeChoice);
    }

    private void OpenDrawer()
    {
        drawerOpen = true;
        focusDrawer = true;
    }

    private async Task OnDrawerKeyDownAsync(KeyboardEventArgs e)
    {
        if (e.Key == "Escape")
        {
            drawerOpen = false;
            StateHasChanged();
            if (navToggle is not null)
            {
                await navToggle.FocusAsync();
            }
        }
    }

    public void Dispose() => NavigationManager.LocationChanged -= OnLocationChanged;
}
