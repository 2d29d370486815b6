using Verify = AsyncCombinators.Analyzers.Tests.Infrastructure.Verifier<AsyncCombinators.Analyzers.WhenAnyTimeoutAnalyzer, AsyncCombinators.Analyzers.CodeFixes.WhenAnyTimeoutCodeFix>;

namespace AsyncCombinators.Analyzers.Tests;

public class WhenAnyTimeoutTests
{
    [Fact]
    public Task IfNotWorkThrowTimeout_ReportsAndFixesToWaitFor() =>
        Verify.VerifyCodeFixAsync(
            """
            using System;
            using System.Threading.Tasks;

            class C
            {
                async Task<int> M(Task<int> work, TimeSpan timeout)
                {
                    // Bounded wait.
                    if (await [|Task.WhenAny(work, Task.Delay(timeout))|] != work) throw new TimeoutException(); // too slow
                    return await work;
                }
            }
            """,
            """
            using System;
            using System.Threading.Tasks;
            using AsyncCombinators;

            class C
            {
                async Task<int> M(Task<int> work, TimeSpan timeout)
                {
                    // Bounded wait.
                    await Async.WaitFor(work, timeout); // too slow
                    return await work;
                }
            }
            """);

    [Fact]
    public Task DelayFirstWithMillisecondsAndToken_FixPassesTokenAndConfigureAwait() =>
        Verify.VerifyCodeFixAsync(
            """
            using System;
            using System.Threading;
            using System.Threading.Tasks;
            using AsyncCombinators;

            class C
            {
                async Task M(Task work, CancellationToken ct)
                {
                    if (await [|Task.WhenAny(Task.Delay(1000, ct), work)|].ConfigureAwait(false) != work)
                    {
                        throw new TimeoutException("slow");
                    }

                    await work.ConfigureAwait(false);
                }
            }
            """,
            """
            using System;
            using System.Threading;
            using System.Threading.Tasks;
            using AsyncCombinators;

            class C
            {
                async Task M(Task work, CancellationToken ct)
                {
                    await Async.WaitFor(work, TimeSpan.FromMilliseconds(1000), ct).ConfigureAwait(false);

                    await work.ConfigureAwait(false);
                }
            }
            """);

    [Fact]
    public Task StoredWinnerComparedWithWork_ReportsAndFixes() =>
        Verify.VerifyCodeFixAsync(
            """
            using System;
            using System.Threading.Tasks;

            class C
            {
                async Task<string> M(Task<string> download)
                {
                    var winner = await [|Task.WhenAny(download, Task.Delay(TimeSpan.FromSeconds(5)))|];
                    if (winner != download)
                    {
                        throw new TimeoutException();
                    }

                    return download.Result;
                }
            }
            """,
            """
            using System;
            using System.Threading.Tasks;
            using AsyncCombinators;

            class C
            {
                async Task<string> M(Task<string> download)
                {
                    await Async.WaitFor(download, TimeSpan.FromSeconds(5));

                    return download.Result;
                }
            }
            """);

    [Fact]
    public Task CommentBeforeTheCheck_FixKeepsIt() =>
        Verify.VerifyCodeFixAsync(
            """
            using System;
            using System.Threading.Tasks;

            class C
            {
                async Task<string> M(Task<string> download)
                {
                    // Five seconds at most.
                    var winner = await [|Task.WhenAny(download, Task.Delay(TimeSpan.FromSeconds(5)))|];
                    // The download lost.
                    if (winner != download)
                    {
                        throw new TimeoutException();
                    }

                    return download.Result;
                }
            }
            """,
            """
            using System;
            using System.Threading.Tasks;
            using AsyncCombinators;

            class C
            {
                async Task<string> M(Task<string> download)
                {
                    // Five seconds at most.
                    // The download lost.
                    await Async.WaitFor(download, TimeSpan.FromSeconds(5));

                    return download.Result;
                }
            }
            """);

    [Fact]
    public Task DisabledCodeBeforeTheCheck_Reported_NoFixBecauseItMayUseTheWinner() =>
        Verify.VerifyCodeFixAsync(
            """
            using System;
            using System.Threading.Tasks;

            class C
            {
                async Task<string> M(Task<string> download)
                {
                    var winner = await [|Task.WhenAny(download, Task.Delay(TimeSpan.FromSeconds(5)))|];
            #if TRACE_RACE
                    Console.WriteLine(winner.Id);
            #endif
                    if (winner != download)
                    {
                        throw new TimeoutException();
                    }

                    return download.Result;
                }
            }
            """,
            """
            using System;
            using System.Threading.Tasks;

            class C
            {
                async Task<string> M(Task<string> download)
                {
                    var winner = await [|Task.WhenAny(download, Task.Delay(TimeSpan.FromSeconds(5)))|];
            #if TRACE_RACE
                    Console.WriteLine(winner.Id);
            #endif
                    if (winner != download)
                    {
                        throw new TimeoutException();
                    }

                    return download.Result;
                }
            }
            """);

    [Fact]
    public Task WorkNamedWithAKeyword_FixKeepsTheAt() =>
        Verify.VerifyCodeFixAsync(
            """
            using System;
            using System.Threading.Tasks;

            class C
            {
                async Task M(Task @lock)
                {
                    if (await [|Task.WhenAny(@lock, Task.Delay(100))|] != @lock) throw new TimeoutException();
                }
            }
            """,
            """
            using System;
            using System.Threading.Tasks;
            using AsyncCombinators;

            class C
            {
                async Task M(Task @lock)
                {
                    await Async.WaitFor(@lock, TimeSpan.FromMilliseconds(100));
                }
            }
            """);

    [Fact]
    public Task ComparedWithDelayLocal_Reported_NoFixBecauseTheDelayLocalStays() =>
        Verify.VerifyCodeFixAsync(
            """
            using System.Threading.Tasks;

            class C
            {
                async Task<int> M(Task<int> work)
                {
                    var delay = Task.Delay(100);
                    if (await [|Task.WhenAny(work, delay)|] == delay)
                    {
                        return -1;
                    }

                    return await work;
                }
            }
            """,
            """
            using System.Threading.Tasks;

            class C
            {
                async Task<int> M(Task<int> work)
                {
                    var delay = Task.Delay(100);
                    if (await [|Task.WhenAny(work, delay)|] == delay)
                    {
                        return -1;
                    }

                    return await work;
                }
            }
            """);

    [Fact]
    public Task EqualsWorkWithFallbackBranch_Reported() =>
        Verify.VerifyAnalyzerAsync(
            """
            using System.Threading.Tasks;

            class C
            {
                async Task<int> M(Task<int> work)
                {
                    if (await [|Task.WhenAny(work, Task.Delay(100))|] == work)
                    {
                        return await work;
                    }

                    return 0;
                }
            }
            """);

    [Fact]
    public Task AwaitedAloneThenWorkChecked_Reported() =>
        Verify.VerifyAnalyzerAsync(
            """
            using System.Threading.Tasks;

            class C
            {
                async Task<bool> M(Task work)
                {
                    await [|Task.WhenAny(work, Task.Delay(250))|];
                    return work.IsCompleted;
                }
            }
            """);

    [Fact]
    public Task TwoRealTasks_NotReported() =>
        Verify.VerifyAnalyzerAsync(
            """
            using System.Threading.Tasks;

            class C
            {
                async Task<int> M(Task<int> primary, Task<int> secondary)
                {
                    if (await Task.WhenAny(primary, secondary) == primary)
                    {
                        return await primary;
                    }

                    return await secondary;
                }
            }
            """);

    [Fact]
    public Task RaceReturnedUnawaited_NotReported() =>
        Verify.VerifyAnalyzerAsync(
            """
            using System.Threading.Tasks;

            class C
            {
                Task<Task> M(Task work) => Task.WhenAny(work, Task.Delay(100));
            }
            """);

    [Fact]
    public Task WinnerStoredButNeverCompared_NotReported() =>
        Verify.VerifyAnalyzerAsync(
            """
            using System.Threading.Tasks;

            class C
            {
                async Task<Task> M(Task work)
                {
                    var first = await Task.WhenAny(work, Task.Delay(100));
                    return first;
                }
            }
            """);

    [Fact]
    public Task AwaitedAloneAndWorkNotExaminedAfterwards_NotReported() =>
        Verify.VerifyAnalyzerAsync(
            """
            using System;
            using System.Threading;
            using System.Threading.Tasks;

            class C
            {
                TaskCompletionSource<bool> _signal = new();

                async Task RunAsync(CancellationToken ct)
                {
                    while (!ct.IsCancellationRequested)
                    {
                        await Task.WhenAny(_signal.Task, Task.Delay(TimeSpan.FromSeconds(30), ct));
                        Flush();
                    }
                }

                void Flush() { }
            }
            """);

    [Fact]
    public Task InfiniteDelayWithTokenAsACancellation_NotReported() =>
        Verify.VerifyAnalyzerAsync(
            """
            using System;
            using System.Threading;
            using System.Threading.Tasks;

            static class TaskExtensions
            {
                public static async Task<T> WithCancellation<T>(this Task<T> task, CancellationToken ct)
                {
                    if (await Task.WhenAny(task, Task.Delay(Timeout.Infinite, ct)) != task)
                    {
                        throw new OperationCanceledException(ct);
                    }

                    return await task;
                }

                public static async Task WithCancellation(this Task task, CancellationToken ct)
                {
                    await Task.WhenAny(task, Task.Delay(-1, ct));
                    ct.ThrowIfCancellationRequested();
                    await task;
                }

                public static async Task<bool> Completes(Task task, CancellationToken ct)
                {
                    var never = Task.Delay(Timeout.InfiniteTimeSpan, ct);
                    return await Task.WhenAny(task, never) == task;
                }
            }
            """);

    [Fact]
    public Task CommentAfterConditionAndNoUsing_FixKeepsCommentAndAddsUsing() =>
        Verify.VerifyCodeFixAsync(
            """
            namespace N;

            class C
            {
                async System.Threading.Tasks.Task<string> M(System.Threading.Tasks.Task<string> download)
                {
                    // race
                    if (await [|System.Threading.Tasks.Task.WhenAny(download, System.Threading.Tasks.Task.Delay(5000))|] != download) // check
                    {
                        throw new System.TimeoutException();
                    }

                    return await download;
                }
            }
            """,
            """
            using System;
            using AsyncCombinators;

            namespace N;

            class C
            {
                async System.Threading.Tasks.Task<string> M(System.Threading.Tasks.Task<string> download)
                {
                    // race
                    await Async.WaitFor(download, TimeSpan.FromMilliseconds(5000)); // check

                    return await download;
                }
            }
            """);
}
