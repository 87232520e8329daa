/** Verifiable results (issue #16): the receipt's snapshot on the vote site, the archive's errors. */
export const verify = {
  'verify.receipt.counted': 'Counted in results snapshot {snapshot}.',
  'verify.receipt.how.title': 'Check it yourself',
  'verify.receipt.how.body':
    'Once voting closes, the results site publishes for each contest the SHA-256 of every counted receipt with the snapshot that counted it, in a file apart from the ballots: no file pairs a receipt with a choice. Find the SHA-256 of your receipt there, and check the signed count with the independent verifier: pnpm primaries verify --url {resultsUrl}',
  'verify.receipt.hash': "Your receipt's SHA-256",
  'errors.RESULTS_ERR_ARCHIVE_NOT_READY': 'The public archive is published once voting has closed and every ballot is released',
  'errors.RESULTS_ERR_ARCHIVE_FILE_NOT_FOUND': 'The public archive has no such file',
};
