using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using AsyncCombinators;

namespace AnalyzerConsumer;

/// <summary>Each idiom an AsyncCombinators analyzer reports, written as people write it.</summary>
public static class Idioms
{
    /// <summary>AC0001: a WhenAny loop that removes the finished task.</summary>
    public static async Task<int> SumAsTheyComplete(List<Task<int>> tasks)
    {
        int sum = 0;
        while (tasks.Count > 0)
        {
            var finished = await Task.WhenAny(tasks);
            tasks.Remove(finished);
            sum += await finished;
        }

        return sum;
    }

    /// <summary>AC0002: WhenAny with Task.Delay as a timeout.</summary>
    public static async Task<int> WithTimeout(Task<int> work, TimeSpan timeout)
    {
        if (await Task.WhenAny(work, Task.Delay(timeout)) != work)
        {
            throw new TimeoutException();
        }

        return await work;
    }

    /// <summary>AC0003: WhenAll followed by reads of each result.</summary>
    public static async Task<string> Both(Task<string> nameTask, Task<int> countTask)
    {
        await Task.WhenAll(nameTask, countTask);
        return nameTask.Result + countTask.Result;
    }

    /// <summary>AC0004: an operation that does not pass its token on.</summary>
    public static Task<int> Operation(TimeSpan timeout) =>
        Async.WaitFor(async ct =>
        {
            await Task.Delay(10);
            return 1;
        }, timeout);

    /// <summary>AC0005: SemaphoreSlim throttling around WhenAll.</summary>
    public static async Task<int[]> Throttled(IEnumerable<int> items)
    {
        using var semaphore = new SemaphoreSlim(4);
        return await Task.WhenAll(items.Select(async item =>
        {
            await semaphore.WaitAsync();
            try
            {
                await Task.Delay(item);
                return item;
            }
            finally
            {
                semaphore.Release();
            }
        }));
    }
}
