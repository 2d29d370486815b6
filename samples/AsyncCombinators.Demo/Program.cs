using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using AsyncCombinators;

namespace AsyncCombinators.Demo;

/// <summary>
/// A simulated service fan-out (fake latencies and failures, no network) that shows each combinator at work with a
/// short timeline, next to what Task.WhenAll / Task.WhenAny would have done.
/// </summary>
internal static class Program
{
    private static readonly Stopwatch s_clock = Stopwatch.StartNew();

    private static async Task Main()
    {
        await GatherDemo();
        await GatherOutcomesDemo();
        await AsCompletedDemo();
        await WaitDemo();
        await WaitForDemo();
        await ColdGatherDemo();
        await FirstSuccessfulDemo();
        await TaskGroupDemo();
        await MapDemo();
        await MergeDemo();
        await RateLimitDemo();
        Log("done");
    }

    private static async Task GatherDemo()
    {
        Section("Gather: results in input order, fail fast (Task.WhenAll waits for everything)");
        Task<string>[] calls = { Service("users", 300), Service("orders", 100), Service("prices", 200) };
        string[] results = await Async.Gather(calls);
        Log($"Gather -> [{string.Join(", ", results)}]   (input order, although 'orders' finished first)");

        Task<string>[] failing = { Service("users", 900), Service("billing", 150, fail: true), Service("prices", 900) };
        var started = s_clock.ElapsedMilliseconds;
        try
        {
            await Async.Gather(failing);
        }
        catch (InvalidOperationException e)
        {
            Log($"Gather threw after {s_clock.ElapsedMilliseconds - started} ms: {e.Message}  (Task.WhenAll would have waited ~900 ms)");
        }

        await Async.Wait(failing); // let the slow ones finish before the next section
    }

    private static async Task GatherOutcomesDemo()
    {
        Section("GatherOutcomes: every result or error, never throws (asyncio return_exceptions=True)");
        Outcome<string>[] outcomes = await Async.GatherOutcomes(new[]
        {
            Service("users", 100), Service("billing", 150, fail: true), Service("prices", 120),
        });
        foreach (Outcome<string> o in outcomes)
        {
            Log(o.IsSuccess ? $"  ok     {o.Value}" : $"  failed {o.Exception.Message}");
        }
    }

    private static async Task AsCompletedDemo()
    {
        Section("AsCompleted: handle each reply as soon as it arrives (no O(n^2) WhenAny loop)");
        Task<string>[] calls = { Service("eu", 250), Service("us", 80), Service("asia", 160, fail: true) };
        await foreach (Task<string> reply in Async.AsCompleted(calls))
        {
            Log(reply.IsCompletedSuccessfully ? $"  arrived: {reply.Result}" : $"  arrived failed: {reply.Exception!.InnerException!.Message}");
        }

        Task<string> slow = Service("slow-replica", 600);
        try
        {
            await foreach (Task<string> reply in Async.AsCompleted(new[] { Service("fast-replica", 50), slow }, TimeSpan.FromMilliseconds(300)))
            {
                Log($"  within the deadline: {await reply}");
            }
        }
        catch (TimeoutException)
        {
            Log("  deadline of 300 ms passed: AsCompleted threw TimeoutException; the slow call is left running");
        }

        await slow; // let it finish before the next section
    }

    private static async Task WaitDemo()
    {
        Section("Wait: FirstCompleted / FirstException / timeout, never throws an input's exception");
        Task<string>[] mirrors = { Service("mirror-1", 400), Service("mirror-2", 120), Service("mirror-3", 260) };
        var (done, pending) = await Async.Wait(mirrors, ReturnWhen.FirstCompleted);
        Log($"FirstCompleted -> done: {done.Single().Result}, still pending: {pending.Count}");

        Task<string>[] jobs = { Service("job-a", 500), Service("job-b", 100, fail: true), Service("job-c", 500) };
        (done, pending) = await Async.Wait(jobs, ReturnWhen.FirstException);
        Log($"FirstException -> returned on the first fault: done {done.Count}, pending {pending.Count}");

        (done, pending) = await Async.Wait(mirrors, ReturnWhen.AllCompleted, TimeSpan.FromMilliseconds(50));
        Log($"AllCompleted with a 50 ms timeout -> done {done.Count}, pending {pending.Count} (a timeout returns, it does not throw)");
        await Async.Wait(jobs.Concat(mirrors));
    }

    private static async Task WaitForDemo()
    {
        Section("WaitFor: a timeout that really cancels the operation, and waits for it to stop");
        try
        {
            await Async.WaitFor(ct => CancellableService("search", 2000, ct), TimeSpan.FromMilliseconds(200));
        }
        catch (TimeoutException e)
        {
            Log($"WaitFor threw TimeoutException after the operation acknowledged cancellation ({e.InnerException!.GetType().Name})");
        }

        string fast = await Async.WaitFor(ct => CancellableService("cache", 30, ct), TimeSpan.FromMilliseconds(200));
        Log($"WaitFor -> {fast} (in time)");
    }

    private static async Task ColdGatherDemo()
    {
        Section("Gather over cold operations: bounded concurrency, the first failure cancels the rest");
        int running = 0;
        int peak = 0;
        async Task<int> Crawl(int page, CancellationToken ct)
        {
            int now = Interlocked.Increment(ref running);
            InterlockedMax(ref peak, now);
            try
            {
                await Task.Delay(40 + (page * 7 % 30), ct);
                if (page == 9)
                {
                    throw new InvalidOperationException($"page {page} failed");
                }

                return page;
            }
            finally
            {
                Interlocked.Decrement(ref running);
            }
        }

        try
        {
            await Async.Gather(Enumerable.Range(0, 12), Crawl, maxConcurrency: 3);
        }
        catch (InvalidOperationException e)
        {
            Log($"Gather(maxConcurrency: 3) threw '{e.Message}'; peak concurrency {peak}; operations still running: {running}");
        }
    }

    private static async Task FirstSuccessfulDemo()
    {
        Section("FirstSuccessful: a staggered race (happy eyeballs); the winner cancels the others");
        string[] mirrors = { "mirror-a (down)", "mirror-b (slow)", "mirror-c (fast)" };
        int[] latencies = { 30, 400, 60 };
        string winner = await Async.FirstSuccessful(
            mirrors.Select((name, i) => new Func<CancellationToken, Task<string>>(async ct =>
            {
                Log($"  start {name}");
                if (i == 0)
                {
                    await Task.Delay(latencies[i], ct);
                    throw new InvalidOperationException($"{name} refused");
                }

                return await CancellableService(name, latencies[i], ct);
            })),
            staggerDelay: TimeSpan.FromMilliseconds(100));
        Log($"FirstSuccessful returned {winner}; the slow mirror was cancelled and awaited");
    }

    private static async Task TaskGroupDemo()
    {
        Section("TaskGroup: structured concurrency; a failing child cancels its siblings");
        try
        {
            await TaskGroup.RunAsync(group =>
            {
                group.Run(ct => CancellableService("audit", 500, ct));
                group.Run(async ct =>
                {
                    await Task.Delay(50, ct);
                    Log("  billing failed");
                    throw new InvalidOperationException("billing is down");
                });
                return Task.CompletedTask;
            });
        }
        catch (AggregateException e)
        {
            Log($"TaskGroup threw {e.InnerExceptions.Count} failure(s): {e.InnerExceptions[0].Message}; nothing left running");
        }
    }

    private static async Task MapDemo()
    {
        Section("Map: results streamed with back-pressure, in source order or as they complete");
        int[] latencies = { 90, 10, 50, 30 };
        Task<int> Work(int i, CancellationToken ct) => Task.Delay(latencies[i], ct).ContinueWith(_ => i, ct, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);

        await foreach (int i in Async.Map(Enumerable.Range(0, 4), Work, maxConcurrency: 4))
        {
            Log($"  ordered: item {i}");
        }

        await foreach (int i in Async.Map(Enumerable.Range(0, 4), Work, maxConcurrency: 4, ordered: false))
        {
            Log($"  unordered: item {i}");
        }
    }

    private static async Task MergeDemo()
    {
        Section("Merge: interleave async streams, one item held per stream");
        static async IAsyncEnumerable<string> Feed(string name, int periodMs, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
        {
            for (int i = 0; i < 3; i++)
            {
                await Task.Delay(periodMs, ct);
                yield return $"{name}#{i}";
            }
        }

        await foreach (string e in Async.Merge(new[] { Feed("fast", 20), Feed("slow", 45) }))
        {
            Log($"  {e}");
        }
    }

    private static async Task RateLimitDemo()
    {
        Section("Rate limit: at most 2 at once and 10 starts a second (aiometer's max_per_second)");
        var options = new ConcurrencyOptions { MaxConcurrency = 2, MaxPerSecond = 10 };
        await Async.Gather(Enumerable.Range(0, 5), (i, ct) =>
        {
            Log($"  start {i}");
            return Task.Delay(20, ct);
        }, options);
        Log("five starts, spaced at least 100 ms apart");
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while (value > (current = Volatile.Read(ref target)) && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }

    private static async Task<string> Service(string name, int latencyMs, bool fail = false)
    {
        await Task.Delay(latencyMs);
        if (fail)
        {
            Log($"  {name} failed");
            throw new InvalidOperationException($"{name} is down");
        }

        Log($"  {name} replied");
        return name;
    }

    private static async Task<string> CancellableService(string name, int latencyMs, CancellationToken ct)
    {
        try
        {
            await Task.Delay(latencyMs, ct);
            return name;
        }
        catch (OperationCanceledException)
        {
            Log($"  {name} saw its token cancelled and stopped");
            throw;
        }
    }

    private static void Section(string title) => Console.WriteLine($"{Environment.NewLine}== {title}");

    private static void Log(string message) => Console.WriteLine($"[{s_clock.ElapsedMilliseconds,5} ms] {message}");
}
