// The voter site: sign in with IIN, phone and an SMS code, vote, keep the receipts.
import '@primaries/ui/base.css';
import './style.css';
import { render } from 'preact';
import { App } from './app';

render(<App />, document.getElementById('app')!);
