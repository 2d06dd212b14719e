using KeysDashboard.Keys;

namespace KeysDashboard.Tests.Keys;

/// <summary>Key ids sort in creation order: the API's "oldest first" and its keyset paging rely on it.</summary>
public sealed class KeyIdTests
{
    [Fact]
    public void Ids_made_one_after_another_sort_in_creation_order_even_within_one_millisecond()
    {
        var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var ids = Enumerable.Range(0, 20_000).Select(_ => ApiKey.NewId()).ToList();

        // Thousands of ids a millisecond: many share one, and they must still come out in order.
        for (var i = 1; i < ids.Count; i++)
        {
            Assert.True(string.CompareOrdinal(ids[i - 1], ids[i]) < 0, $"id {i} ({ids[i]}) sorts before id {i - 1} ({ids[i - 1]})");
        }
        Assert.True(ids.Select(id => id[..12]).Distinct().Count() < ids.Count / 2, "the test made too few ids per millisecond to prove anything");
        Assert.All(ids, id =>
        {
            Assert.Matches("^[0-9a-f]{32}$", id);
            var guid = Guid.ParseExact(id, "N");
            Assert.Equal(7, guid.Version);
            Assert.Equal(id, guid.ToString("N"));
            var milliseconds = Convert.ToInt64(id[..12], 16);
            Assert.InRange(milliseconds, before, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + 1_000);
        });
    }
}
