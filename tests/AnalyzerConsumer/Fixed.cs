using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using AsyncCombinators;

namespace AnalyzerConsumer;

/// <summary>The idioms of Idioms.cs as the code fixes leave them (AC0005, which has no fix, rewritten by hand).</summary>
public static class Idioms
{
    /// <summary>AC0001 fixed.</summary>
    public static async Task<int> SumAsTheyComplete(List<Task<int>> tasks)
    {
        int sum = 0;
        await foreach (var finished in Async.AsCompleted(tasks))
        {
            sum += await finished;
        }

        return sum;
    }

    /// <summary>AC0002 fixed.</summary>
    public static async Task<int> WithTimeout(Task<int> work, TimeSpan timeout)
    {
        await Async.WaitFor(work, timeout);

        return await work;
    }

    /// <summary>AC0003 fixed.</summary>
    public static async Task<string> Both(Task<string> nameTask, Task<int> countTask)
    {
        var (name, count) = await Async.Gather(nameTask, countTask);
        return name + count;
    }

    /// <summary>AC0004 fixed.</summary>
    public static Task<int> Operation(TimeSpan timeout) =>
        Async.WaitFor(async ct =>
        {
            await Task.Delay(10, ct);
            return 1;
        }, timeout);

    /// <summary>AC0005 rewritten: at most four at a time, each cancellable.</summary>
    public static Task<int[]> Throttled(IEnumerable<int> items) =>
        Async.Gather(
            items.Select(item => (Func<CancellationToken, Task<int>>)(async ct =>
            {
                await Task.Delay(item, ct);
                return item;
            })),
            maxConcurrency: 4);
}
