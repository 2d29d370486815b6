using AsyncCombinators.Tests.Infrastructure;

namespace AsyncCombinators.StressTests;

/// <summary>Timeouts and cancellations that fire at the moment the inputs complete, thousands of times.</summary>
public class RaceTests
{
    private const int Rounds = 3_000;

    /// <summary>How many consecutive pending inputs of a Gather share one watcher.</summary>
    private const int Group = AsyncCombinators.Internal.GatherTasksPromise<int>.GroupSize;

    [Fact]
    public async Task WaitFor_TimeoutRacingCompletion_AlwaysValueOrTimeout()
    {
        int values = 0;
        int timeouts = 0;
        for (int i = 0; i < Rounds; i++)
        {
            var time = new TimerCountingTimeProvider();
            var op = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
            Task<int> wait = Async.WaitFor(ct => { ct.Register(() => op.TrySetCanceled(ct)); return op.Task; }, TimeSpan.FromSeconds(1), time, CancellationToken.None);
            using var start = new Barrier(2);
            Task completer = Task.Run(() => { start.SignalAndWait(); op.TrySetResult(i); });
            start.SignalAndWait();
            time.Advance(TimeSpan.FromSeconds(1));
            await completer;
            await wait.WhenSettled();
            if (wait.IsCompletedSuccessfully)
            {
                wait.Result.Should().Be(i);
                values++;
            }
            else
            {
                wait.Exception!.InnerException.Should().BeOfType<TimeoutException>();
                timeouts++;
            }

            time.ActiveTimers.Should().Be(0);
        }

        (values + timeouts).Should().Be(Rounds);
    }

    [Fact]
    public async Task Gather_InputsOfOneGroupCompletedByTwoThreadsAtOnce_EachCountedOnceAndRecordedBeforeTheEnd()
    {
        // The first Group inputs share one group: both threads' completions run the group's delegate at the same time.
        // Each input must be claimed by exactly one run (counted twice, the gather would end before its last input), and
        // every input must have been examined when the last claim ends the gather (a result or a failure must not be
        // missed). More rounds than the other races: the window (between one delegate's examination and another's last
        // claim) is a few instructions wide, so a defect there shows only in a small share of rounds.
        using var monitor = new UnobservedExceptionMonitor();
        for (int i = 0; i < 20_000; i++)
        {
            int failing = i % 3 == 0 ? i % Group : -1;
            bool lastSeparate = i % 2 == 0;
            var sources = Enumerable.Range(0, Group + 1).Select(_ => new TaskCompletionSource<int>()).ToArray();
            Task<int[]> gather = Async.Gather(sources.Take(lastSeparate ? Group + 1 : Group).Select(s => s.Task).ToArray());
            using var start = new Barrier(2);
            Task even = Task.Run(() => { start.SignalAndWait(); Complete(sources, 0, failing, monitor); });
            Task odd = Task.Run(() => { start.SignalAndWait(); Complete(sources, 1, failing, monitor); });
            await Task.WhenAll(even, odd);

            if (lastSeparate && failing < 0)
            {
                gather.IsCompleted.Should().BeFalse("input {0} is still pending (round {1})", Group, i);
            }

            sources[Group].SetResult(100 + Group);
            await gather.WhenSettled();
            if (failing >= 0)
            {
                gather.IsFaulted.Should().BeTrue("input {0} failed (round {1})", failing, i);
                _ = gather.Exception;
            }
            else
            {
                gather.Result.Should().Equal(Enumerable.Range(100, lastSeparate ? Group + 1 : Group), "round {0}", i);
            }
        }

        monitor.CollectAndGetSeen().Should().BeEmpty();

        static void Complete(TaskCompletionSource<int>[] sources, int first, int failing, UnobservedExceptionMonitor monitor)
        {
            for (int k = first; k < Group; k += 2)
            {
                if (k == failing)
                {
                    sources[k].SetException(monitor.NewException());
                }
                else
                {
                    sources[k].SetResult(100 + k);
                }
            }
        }
    }

    [Theory]
    [InlineData("Wait AllCompleted")]
    [InlineData("Wait AllCompleted timeout")]
    [InlineData("Wait FirstException")]
    [InlineData("GatherOutcomes")]
    [InlineData("Gather")]
    [InlineData("AsCompleted timeout")]
    [InlineData("AsCompleted token")]
    public async Task Calls_InputsCompletingWhileTheCallRegisters_EndOnceWithEveryInputCounted(string call)
    {
        // The calls count down from a bias while they attach to the pending inputs: inputs completed by another thread
        // during that loop (some before their registration, some after) must each count once, and the call must end
        // exactly when its condition holds, whichever thread gets there. In every other round one input faults.
        // AsCompleted with a timeout or a token queues the inputs itself: each must be yielded once.
        var time = new TimerCountingTimeProvider();
        using var live = new CancellationTokenSource();
        for (int i = 0; i < Rounds; i++)
        {
            int faulting = i % 2 == 0 ? 16 : -1;
            var sources = Enumerable.Range(0, 32).Select(_ => new TaskCompletionSource<int>()).ToArray();
            Task<int>[] tasks = sources.Select(s => s.Task).ToArray();
            using var start = new Barrier(2);
            Task completer = Task.Run(() =>
            {
                start.SignalAndWait();
                for (int n = 0; n < sources.Length; n++)
                {
                    // A pause that varies by round sweeps the completions across the call's registration loop. In half
                    // the rounds they come last to first, so the call meets inputs already complete while the
                    // continuation of an input it attached to earlier runs on this thread.
                    Thread.SpinWait(i % 64);
                    int k = i / 2 % 2 == 0 ? n : sources.Length - 1 - n;
                    if (k == faulting)
                    {
                        sources[k].SetException(new FormatException());
                    }
                    else
                    {
                        sources[k].SetResult(k);
                    }
                }
            });
            start.SignalAndWait();
            Task result = call switch
            {
                "Wait AllCompleted" => Async.Wait(tasks),
                "Wait AllCompleted timeout" => Async.Wait(tasks, ReturnWhen.AllCompleted, TimeSpan.FromMinutes(5), time, CancellationToken.None),
                "Wait FirstException" => Async.Wait(tasks, ReturnWhen.FirstException),
                "GatherOutcomes" => Async.GatherOutcomes(tasks),
                "AsCompleted timeout" => Async.AsCompleted(tasks, TimeSpan.FromMinutes(5), time, CancellationToken.None).Drain(),
                "AsCompleted token" => Async.AsCompleted(tasks, live.Token).Drain(),
                _ => Async.Gather(tasks),
            };
            await completer;
            await result.WhenSettled();

            switch (result)
            {
                case Task<WaitResult<Task<int>>> wait when call == "Wait FirstException" && faulting >= 0:
                    wait.Result.Done.Should().Contain(tasks[faulting], "round {0}", i);
                    wait.Result.Done.Count.Should().Be(tasks.Length - wait.Result.Pending.Count, "round {0}", i);
                    wait.Result.Done.Concat(wait.Result.Pending).ToHashSet().SetEquals(tasks).Should().BeTrue("Done and Pending partition the inputs (round {0})", i);
                    break;
                case Task<WaitResult<Task<int>>> wait:
                    wait.Result.Done.Should().Equal(tasks, "round {0}", i);
                    wait.Result.Pending.Should().BeEmpty();
                    break;
                case Task<Outcome<int>[]> outcomes:
                    outcomes.Result.Select(o => o.IsSuccess).Should().Equal(tasks.Select((_, k) => k != faulting), "round {0}", i);
                    break;
                case Task<int[]> gather when faulting >= 0:
                    gather.IsFaulted.Should().BeTrue("round {0}", i);
                    gather.Exception!.InnerException.Should().BeOfType<FormatException>();
                    break;
                case Task<int[]> gather:
                    gather.Result.Should().Equal(Enumerable.Range(0, 32), "round {0}", i);
                    break;
                case Task<List<Task<int>>> yielded:
                    yielded.Result.Should().HaveCount(tasks.Length, "round {0}", i);
                    yielded.Result.ToHashSet().SetEquals(tasks).Should().BeTrue("every input is yielded once (round {0})", i);
                    break;
            }

            _ = tasks[faulting < 0 ? 0 : faulting].Exception;
        }

        time.ActiveTimers.Should().Be(0);
    }

    [Fact]
    public async Task WaitAndAsCompleted_TimeoutRacingCompletion_ConsistentResultsNeverHang()
    {
        for (int i = 0; i < Rounds; i++)
        {
            var time = new TimerCountingTimeProvider();
            var input = new TaskCompletionSource<int>();
            var wait = Async.Wait(new[] { input.Task }, (ReturnWhen)(i % 3), TimeSpan.FromSeconds(1), time, CancellationToken.None);
            var enumerator = Async.AsCompleted(new[] { input.Task }, TimeSpan.FromSeconds(1), time, CancellationToken.None).GetAsyncEnumerator();
            ValueTask<bool> next = enumerator.MoveNextAsync();
            using var start = new Barrier(2);
            Task completer = Task.Run(() => { start.SignalAndWait(); input.SetResult(i); });
            start.SignalAndWait();
            time.Advance(TimeSpan.FromSeconds(1));
            await completer;

            var (done, pending) = await wait.Guard();
            (done.Count + pending.Count).Should().Be(1);
            try
            {
                (await next.AsTask().Guard()).Should().BeTrue();
                enumerator.Current.Should().BeSameAs(input.Task);
            }
            catch (TimeoutException)
            {
                // The deadline came first: allowed.
            }

            await enumerator.DisposeAsync();
            time.ActiveTimers.Should().Be(0);
        }
    }

    [Fact]
    public async Task WaitFirstException_FaultWhileAttaching_LeavesNothingOnInputsThatNeverEnd()
    {
        // A fault on another thread ends the wait while the call still attaches to the inputs after it. Detaching then
        // must not race an attachment in progress, or one stays on an input that never ends and keeps the ended wait
        // alive: every wait must be collectable while those inputs live on. The window is a few instructions of
        // ContinueWith, so it takes many rounds.
        var never = Enumerable.Range(0, 64).Select(_ => new TaskCompletionSource<int>()).ToArray();
        var waits = new List<WeakReference>();
        for (int i = 0; i < 20_000; i++)
        {
            var faulting = new TaskCompletionSource<int>();
            Task<int>[] inputs = new[] { faulting.Task }.Concat(never.Select(s => s.Task)).ToArray();
            using var start = new Barrier(2);
            Task completer = Task.Run(() =>
            {
                start.SignalAndWait();
                Thread.SpinWait(i % 512);
                faulting.SetException(new FormatException());
            });
            start.SignalAndWait();
            waits.Add(await WaitForTheFault(inputs));
            await completer;
            _ = faulting.Task.Exception;
        }

        // A parked pool thread may still hold the last work item it ran, and with it one round's wait: give every
        // thread other work first.
        await Task.WhenAll(Enumerable.Range(0, 256).Select(_ => Task.Run(() => Thread.SpinWait(1000))));
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        IEnumerable<int> kept = waits.Select((wait, round) => (wait, round)).Where(x => x.wait.IsAlive).Select(x => x.round);
        kept.Should().BeEmpty("no ended wait may stay referenced from an input that never ends");
        GC.KeepAlive(never);

        static async Task<WeakReference> WaitForTheFault(Task<int>[] inputs)
        {
            Task<WaitResult<Task<int>>> wait = Async.Wait(inputs, ReturnWhen.FirstException, Timeout.InfiniteTimeSpan, TimeProvider.System, CancellationToken.None);
            (await wait.Guard()).Done.Should().Contain(inputs[0]);
            return new WeakReference(wait);
        }
    }

    [Fact]
    public async Task Gather_CancellationRacingFailure_NeverHangsAlwaysObserved()
    {
        using var monitor = new UnobservedExceptionMonitor();
        for (int i = 0; i < Rounds; i++)
        {
            using var cts = new CancellationTokenSource();
            var a = new TaskCompletionSource<int>();
            var b = new TaskCompletionSource<int>();
            Task<int[]> hot = Async.Gather(new[] { a.Task, b.Task }, cts.Token);
            Task<int[]> cold = Async.Gather(new Func<CancellationToken, Task<int>>[] { _ => a.Task, _ => b.Task }, cancellationToken: cts.Token);
            using var start = new Barrier(3);
            Task t1 = Task.Run(() => { start.SignalAndWait(); a.SetException(monitor.NewException()); });
            Task t2 = Task.Run(() => { start.SignalAndWait(); cts.Cancel(); });
            start.SignalAndWait();
            b.SetResult(1);
            await Task.WhenAll(t1, t2);
            await hot.WhenSettled();
            await cold.WhenSettled();
            (hot.IsFaulted || hot.IsCanceled).Should().BeTrue();
            (cold.IsFaulted || cold.IsCanceled).Should().BeTrue();
            _ = hot.Exception;
            _ = cold.Exception;
        }

        monitor.CollectAndGetSeen().Should().BeEmpty();
    }
}
