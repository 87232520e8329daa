// The officials' console: enrolment, sign-in with TOTP, a home per role, staff management.
import '@primaries/ui/base.css';
import './style.css';
import { render } from 'preact';
import { App } from './app';

render(<App />, document.getElementById('app')!);
