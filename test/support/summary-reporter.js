// Prints the run's totals as one plain closing line ("tests: N passed, N failed, N skipped"), which CI
// reads; a run that executed no test fails instead of passing silently.
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const { numPassedTests: passed, numFailedTests: failed, numPendingTests: skipped, numTotalTests: total } = results;
    process.stdout.write(`\ntests: ${passed} passed, ${failed} failed, ${skipped} skipped\n`);
    if (total === 0) {
      process.stderr.write('no test was executed\n');
      process.exitCode = 1;
    }
  }
}
module.exports = SummaryReporter;
