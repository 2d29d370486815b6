using System;
using System.Threading;
using System.Threading.Tasks;
using AsyncCombinators;

namespace Library;

public static class Replies
{
    /// <summary>Sums the replies as they arrive (IAsyncEnumerable), each within a deadline on the system clock (TimeProvider).</summary>
    public static async Task<int> SumAsync()
    {
        int sum = 0;
        await foreach (Task<int> reply in Async.AsCompleted(new[] { Task.FromResult(1), Task.FromResult(2) }))
        {
            sum += await reply;
        }

        sum += await Async.WaitFor(_ => Task.FromResult(3), TimeSpan.FromSeconds(5), TimeProvider.System, CancellationToken.None);
        return sum;
    }
}
